// Mistake: gives every thread `data.len() / threads` bytes: the division rounds down, and the last few bytes are never counted.
// Rejected by: histogram_counts_every_byte
// Message contains: the last 1 byte was never counted
// Cause: none

pub fn histogram(data: &[u8], threads: NonZeroUsize) -> [u64; 256] {
    let counts: [AtomicU64; 256] = std::array::from_fn(|_| AtomicU64::new(0));
    let part = data.len() / threads.get();
    thread::scope(|scope| {
        for t in 0..threads.get() {
            let counts = &counts;
            let mine = &data[t * part..(t + 1) * part];
            scope.spawn(move || count_bytes(mine, counts));
        }
    });
    counts.map(AtomicU64::into_inner)
}
