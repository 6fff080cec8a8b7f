// Mistake: pushes each range's sum into a shared Vec as soon as it is done: the sums come back in the order the ranges finished.
// Rejected by: sums_come_back_in_input_order
// Message contains: in the order the ranges finished
// Cause: wrong-order

use std::sync::Mutex;

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    let sums = Mutex::new(Vec::with_capacity(ranges.len()));
    ranges.par_iter().for_each(|range| {
        let sum = range.clone().into_par_iter().map(&f).sum::<u128>();
        sums.lock().unwrap().push(sum);
    });
    sums.into_inner().unwrap()
}
