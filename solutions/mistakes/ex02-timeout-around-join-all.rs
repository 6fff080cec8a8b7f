// Mistake: puts one timeout around `join_all` of all ops, so a miss loses every result.
// Rejected by: all_within_ends_at_the_deadline
// Message contains: even for ops that finished in time

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
    let n = ops.len();
    match tokio::time::timeout(deadline, futures::future::join_all(ops)).await {
        Ok(outs) => outs.into_iter().map(Some).collect(),
        Err(_) => (0..n).map(|_| None).collect(),
    }
}
