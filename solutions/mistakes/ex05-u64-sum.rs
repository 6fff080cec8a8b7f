// Mistake: squares and adds up in u64, then converts: the squares of 0..10_000_000 add up to more than u64::MAX.
// Rejected by: ten_million_squares_are_exact
// Message contains: the squares were added up in u64
// Cause: arithmetic-overflow

pub fn sums_of_squares(ranges: &[Range<u64>]) -> Vec<u128> {
    ranges
        .par_iter()
        .map(|range| range.clone().into_par_iter().map(|x| x * x).sum::<u64>() as u128)
        .collect()
}
