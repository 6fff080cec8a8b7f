// Mistake: spawns the threads, but makes every increment on the calling thread: the count is right, and nothing runs at the same time.
// Rejected by: threads_run_at_the_same_time
// Message contains: were made on the thread that called it
// Cause: sequential
// Observed peak: 1
// Observed busy: thread 1
// Observed empty: thread 2

pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {});
        }
    });
    increment_times(counter, threads as u64 * per_thread);
    counter.get()
}
