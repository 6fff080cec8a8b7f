// Mistake: collects the sums from a channel while the original sender is still alive: the receiving loop never ends.
// Rejected by: empty_and_small_ranges_are_exact
// Message contains: Your code gave no result after 4.0 s
// Cause: channel-never-closed

use std::sync::mpsc;
use std::thread;

pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    let f = &f;
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        for (i, range) in ranges.iter().enumerate() {
            let tx = tx.clone();
            s.spawn(move || tx.send((i, range.clone().map(f).sum::<u128>())).unwrap());
        }
        // `tx` itself is never dropped, so this loop waits for it forever.
        let mut sums = vec![0; ranges.len()];
        for (i, sum) in rx {
            sums[i] = sum;
        }
        sums
    })
}
