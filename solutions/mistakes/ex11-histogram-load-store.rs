// Mistake: counts with a separate `load` and `store` on the shared atomics: two threads can read the same old count, and one of the two additions is lost.
// Rejected by: histogram_counts_survive_contention
// Message contains: counts were lost

pub fn histogram(data: &[u8], threads: NonZeroUsize) -> [u64; 256] {
    let counts: [AtomicU64; 256] = std::array::from_fn(|_| AtomicU64::new(0));
    let part = data.len().div_ceil(threads.get()).max(1);
    thread::scope(|scope| {
        for chunk in data.chunks(part) {
            let counts = &counts;
            scope.spawn(move || {
                for &b in chunk {
                    let old = counts[b as usize].load(Ordering::Relaxed);
                    counts[b as usize].store(old + 1, Ordering::Relaxed);
                }
            });
        }
    });
    counts.map(AtomicU64::into_inner)
}
