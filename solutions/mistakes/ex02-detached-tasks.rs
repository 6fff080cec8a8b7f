// Mistake: spawns the ops and drops late ones' `JoinHandle`s, which leaves the tasks running.
// Rejected by: late_ops_never_run_after_the_deadline
// Message contains: kept running after all_within returned

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
    let handles: Vec<_> = ops.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        // On timeout the handle is dropped: that detaches the task, it does not stop it.
        let output = tokio::time::timeout_at(deadline, handle).await;
        results.push(output.ok().and_then(Result::ok));
    }
    results
}
