// Mistake: one scoped thread per range, each summing with a `while` loop that forgets `i += 1`:
// the loop never ends (empty ranges aside), calling f on the range's first number again and again.
// Rejected by: par_sum_map_sums_any_function
// Message contains: more than the 1_000_008 numbers of the ranges
// Cause: busy-loop

use std::thread;

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    let f = &f;
    thread::scope(|s| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|range| {
                s.spawn(move || {
                    let mut sum = 0u128;
                    let mut i = range.start;
                    while i < range.end {
                        sum += f(i);
                    }
                    sum
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
