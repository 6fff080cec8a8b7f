// Mistake: `buffered(100)` runs at most 100 sleeps at once: right for a few tasks, slow for many.
// Rejected by: ten_thousand_sleeps_take_the_longest_delay
// Message contains: some sleeps started only after others had finished
// Cause: under-used

use futures::stream::{self, StreamExt};

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    stream::iter(tasks.iter().map(|&(name, delay)| sleepy(name, delay)))
        .buffered(100)
        .collect()
        .await
}
