// Mistake: parallel across ranges only: each range is summed by one thread, so a huge range keeps one core busy while the others idle.
// Rejected by: a_huge_range_is_shared_among_threads
// Message contains: summed by one thread alone
// Cause: not-parallel

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    ranges
        .par_iter()
        .map(|range| range.clone().map(&f).sum::<u128>())
        .collect()
}
