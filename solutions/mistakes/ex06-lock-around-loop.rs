// Mistake: every thread holds one lock around its whole loop (Python's `with lock:` around the `for`): the count is right, but the threads run one at a time.
// Rejected by: threads_run_at_the_same_time
// Message contains: held one lock around its whole loop
// Cause: lock-held-while-waiting
// Observed peak: 1
// Observed busy: thread 1, thread 2

pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    let lock = Mutex::new(());
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let _guard = lock.lock().unwrap();
                increment_times(counter, per_thread);
            });
        }
    });
    counter.get()
}
