// Mistake: silences the overflow panic with wrapping u64 arithmetic: the sum of 0..10_000_000's squares wraps around at 2^64.
// Rejected by: ten_million_squares_are_exact
// Message contains: wrapped around at 2^64
// Cause: arithmetic-overflow

pub fn sums_of_squares(ranges: &[Range<u64>]) -> Vec<u128> {
    ranges
        .par_iter()
        .map(|range| {
            let sum = range
                .clone()
                .into_par_iter()
                .map(|x| x.wrapping_mul(x))
                .reduce(|| 0, u64::wrapping_add);
            u128::from(sum)
        })
        .collect()
}
