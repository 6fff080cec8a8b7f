// Mistake: squares in u64 before widening: `x * x` overflows once x reaches 2^32.
// Rejected by: squares_beyond_u32_are_exact
// Message contains: attempt to multiply with overflow
// Cause: arithmetic-overflow

pub fn sums_of_squares(ranges: &[Range<u64>]) -> Vec<u128> {
    par_sum_map(ranges, |x| u128::from(x * x))
}
