// Mistake: gives each op its own timeout and awaits them one after another, so the times add up.
// Rejected by: ops_share_one_deadline
// Message contains: each with its own timeout

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
    let mut results = Vec::new();
    for op in ops {
        results.push(tokio::time::timeout(deadline, op).await.ok());
    }
    results
}
