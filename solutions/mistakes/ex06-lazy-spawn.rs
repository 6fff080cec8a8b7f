// Mistake: spawns the threads in a `map` that nothing consumes: iterators are lazy, so no thread is ever started.
// Rejected by: count_with_threads_returns_the_exact_count
// Message contains: spawns nothing until something consumes it
// Cause: none

pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    thread::scope(|scope| {
        let handles = (0..threads).map(|_| scope.spawn(|| increment_times(counter, per_thread)));
    });
    counter.get()
}
