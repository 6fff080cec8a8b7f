// Mistake: `with_timeout` awaits the op to the end, then compares the elapsed time with the limit.
// Rejected by: with_timeout_gives_up_at_the_limit
// Message contains: compared the time afterwards
// Cause: no-timeout

pub async fn with_timeout<F: Future>(op: F, limit: Duration) -> Result<F::Output, TimedOut> {
    let start = tokio::time::Instant::now();
    let output = op.await;
    if start.elapsed() <= limit {
        Ok(output)
    } else {
        Err(TimedOut)
    }
}
