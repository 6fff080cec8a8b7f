// Mistake: sums every range on the calling thread, one after the other: no parallelism at all.
// Rejected by: even_ranges_keep_several_threads_busy
// Message contains: All of it ran on one thread
// Cause: not-parallel
// Observed peak: 1
// Observed busy: thread 1
// Observed empty: thread 2

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    ranges
        .iter()
        .map(|range| range.clone().map(&f).sum::<u128>())
        .collect()
}
