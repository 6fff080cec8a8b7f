// Mistake: collects the outputs in the order the ops finish, then pads with `None`.
// Rejected by: results_are_in_input_order
// Message contains: in the order the ops finished

use std::fmt;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut;

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation did not finish within its time limit")
    }
}

impl std::error::Error for TimedOut {}

pub async fn with_timeout<F: Future>(op: F, limit: Duration) -> Result<F::Output, TimedOut> {
    tokio::time::timeout(limit, op).await.map_err(|_| TimedOut)
}

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let deadline = tokio::time::Instant::now() + deadline;
    let count = ops.len();
    let mut set = tokio::task::JoinSet::new();
    for op in ops {
        set.spawn(op);
    }
    let mut results = Vec::new();
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, set.join_next()).await {
        results.push(Some(joined.expect("an op panicked")));
    }
    set.shutdown().await;
    results.resize_with(count, || None);
    results
}
