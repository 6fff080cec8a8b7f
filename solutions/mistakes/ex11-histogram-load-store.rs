// Mistake: counts with a separate `load` and `store` on the shared atomics: two threads can read the same old count, and one of the two additions is lost.
// Rejected by: histogram_counts_survive_contention
// Message contains: counts were lost
// Cause: lost-update

fn count_bytes(chunk: &[u8], counts: &[AtomicU64; 256]) {
    for &b in chunk {
        let old = counts[b as usize].load(Ordering::Relaxed);
        counts[b as usize].store(old + 1, Ordering::Relaxed);
    }
}
