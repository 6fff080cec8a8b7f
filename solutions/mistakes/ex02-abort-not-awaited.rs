// Mistake: returns at the deadline, dropping its `JoinSet` without waiting for the aborted tasks.
// Rejected by: late_ops_are_dropped_before_all_within_returns
// Message contains: still alive when all_within returned

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
    let mut results: Vec<Option<T>> = ops.iter().map(|_| None).collect();
    let mut set = tokio::task::JoinSet::new();
    for (index, op) in ops.into_iter().enumerate() {
        set.spawn(async move { (index, op.await) });
    }
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, set.join_next()).await {
        let (index, output) = joined.expect("an op panicked");
        results[index] = Some(output);
    }
    // Dropping the set aborts the late tasks, but they are dropped only later.
    results
}
