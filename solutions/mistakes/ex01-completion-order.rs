// Mistake: collects the names in the order the sleeps finish, not the input order.
// Rejected by: names_come_back_in_input_order
// Message contains: in the order the sleeps finished
// Cause: wrong-order

use futures::stream::{FuturesUnordered, StreamExt};

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    let mut running: FuturesUnordered<_> = tasks
        .iter()
        .map(|&(name, delay)| sleepy(name, delay))
        .collect();
    let mut names = Vec::new();
    while let Some(name) = running.next().await {
        names.push(name);
    }
    names
}
