// Mistake: spawns in a lazy `map` and joins in the same chain: each handle is joined before the iterator spawns the next thread, so the threads run one after another.
// Rejected by: threads_run_at_the_same_time
// Message contains: never ran at the same time
// Cause: sequential

pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    thread::scope(|scope| {
        (0..threads)
            .map(|_| scope.spawn(|| increment_times(counter, per_thread)))
            .for_each(|handle| handle.join().unwrap());
    });
    counter.get()
}
