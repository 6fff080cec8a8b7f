// Mistake: cuts each range by hand into 8 pieces of `len / 8` numbers: the `len % 8` numbers left over at the end are never summed.
// Rejected by: empty_and_small_ranges_are_exact
// Message contains: the numbers left over at the end were not summed
// Cause: none

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    const PIECES: u64 = 8;
    ranges
        .par_iter()
        .map(|range| {
            let piece = (range.end - range.start) / PIECES;
            (0..PIECES)
                .into_par_iter()
                .map(|k| {
                    let start = range.start + k * piece;
                    (start..start + piece).map(&f).sum::<u128>()
                })
                .sum::<u128>()
        })
        .collect()
}
