// Mistake: `with_timeout` awaits the op to the end, then compares the elapsed time with the limit.
// Rejected by: with_timeout_gives_up_at_the_limit
// Message contains: compared the time afterwards

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
    let start = tokio::time::Instant::now();
    let output = op.await;
    if start.elapsed() <= limit {
        Ok(output)
    } else {
        Err(TimedOut)
    }
}

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let deadline = tokio::time::Instant::now() + deadline;
    let ops = ops
        .into_iter()
        .map(|op| tokio::time::timeout_at(deadline, op));
    futures::future::join_all(ops)
        .await
        .into_iter()
        .map(Result::ok)
        .collect()
}
