// Mistake: iterates `start..=end`, so the end of every range is counted too.
// Rejected by: empty_and_small_ranges_are_exact
// Message contains: counts `end` too
// Cause: none

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    ranges
        .par_iter()
        .map(|range| {
            (range.start..=range.end)
                .into_par_iter()
                .map(&f)
                .sum::<u128>()
        })
        .collect()
}
