// Mistake: collects each range's numbers into a Vec and runs `par_iter` over it: the sums are right, but the Vec takes 8 bytes per number (800 MB for 0..100_000_000).
// Rejected by: a_range_is_summed_without_a_list_of_its_numbers
// Message contains: were stored in a Vec before being added up
// Cause: none

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    ranges
        .par_iter()
        .map(|range| {
            let numbers: Vec<u64> = range.clone().collect();
            numbers.par_iter().map(|&x| f(x)).sum::<u128>()
        })
        .collect()
}
