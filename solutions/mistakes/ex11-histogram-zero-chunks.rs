// Mistake: splits the data with `data.chunks(data.len() / threads)`: with more threads than bytes the size is 0, and `chunks(0)` panics.
// Rejected by: histogram_with_more_threads_than_bytes
// Message contains: chunks(0)
// Cause: none

pub fn histogram(data: &[u8], threads: NonZeroUsize) -> [u64; 256] {
    let counts: [AtomicU64; 256] = std::array::from_fn(|_| AtomicU64::new(0));
    thread::scope(|scope| {
        for chunk in data.chunks(data.len() / threads.get()) {
            let counts = &counts;
            scope.spawn(move || count_bytes(chunk, counts));
        }
    });
    counts.map(AtomicU64::into_inner)
}
