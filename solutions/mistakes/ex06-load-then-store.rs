// Mistake: increments with `load` and then `store` on the AtomicU64: each step is atomic, the pair is not, so two threads can both read 41 and both write 42.
// Rejected by: many_threads_never_lose_an_increment
// Message contains: increments were lost
// Cause: lost-update

impl Count for Counter {
    fn increment(&self) {
        let seen = self.count.load(Ordering::SeqCst);
        self.count.store(seen + 1, Ordering::SeqCst);
    }
}
