// Mistake: joins each thread right after spawning it (Python's `t.start(); t.join()` in one loop), so no two threads ever run at once.
// Rejected by: threads_run_at_the_same_time
// Message contains: never ran at the same time
// Cause: sequential
// Observed peak: 1
// Observed busy: thread 1, thread 2

pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    thread::scope(|scope| {
        for _ in 0..threads {
            scope
                .spawn(|| increment_times(counter, per_thread))
                .join()
                .unwrap();
        }
    });
    counter.get()
}
