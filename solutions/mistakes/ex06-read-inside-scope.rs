// Mistake: returns `counter.get()` from inside the `thread::scope` closure: that value is read before the scope waits for its threads.
// Rejected by: count_with_threads_returns_the_exact_count
// Message contains: read before every thread had finished
// Cause: none

pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| increment_times(counter, per_thread));
        }
        counter.get()
    })
}
