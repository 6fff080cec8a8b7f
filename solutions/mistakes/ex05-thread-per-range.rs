// Mistake: one scoped thread per range (no rayon): parallel across ranges, but a huge range is still summed by one thread alone.
// Rejected by: a_huge_range_is_shared_among_threads
// Message contains: summed by one thread alone
// Cause: not-parallel

use std::thread;

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    let f = &f;
    thread::scope(|s| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|range| s.spawn(move || range.clone().map(f).sum::<u128>()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
