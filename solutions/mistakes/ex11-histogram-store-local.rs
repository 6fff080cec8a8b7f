// Mistake: each thread counts its part into a local array, then `store`s its counts into the shared counters: each store replaces what the threads before it stored, so only one part's counts survive in each counter.
// Rejected by: histogram_counts_every_byte
// Message contains: the threads' counts replaced each other instead of adding up
// Cause: lost-update

fn count_bytes(chunk: &[u8], counts: &[AtomicU64; 256]) {
    // Count locally first: far fewer atomic operations.
    let mut local = [0_u64; 256];
    for &b in chunk {
        local[usize::from(b)] += 1;
    }
    for (counter, n) in counts.iter().zip(local) {
        counter.store(n, Ordering::Relaxed);
    }
}
