// Mistake: `buffered(tasks.len())`: right for every list but the empty one, where a limit of 0
// never polls the stream, so it never ends.
// Rejected by: empty_input_gives_empty_output_at_once
// Message contains: a limit of 0 never starts anything
// Cause: under-used

use futures::stream::{self, StreamExt};

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    stream::iter(tasks.iter().map(|&(name, delay)| sleepy(name, delay)))
        .buffered(tasks.len())
        .collect()
        .await
}
