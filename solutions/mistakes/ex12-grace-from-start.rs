// Mistake: computes the end of the grace period when serve starts, not when the shutdown comes: by the time of the shutdown it has long passed, and the running requests get no grace at all.
// Rejected by: requests_finishing_within_the_grace_period_complete
// Message contains: right at the shutdown, without any grace
// Cause: none

pub async fn serve<F, Fut>(
    requests: mpsc::Receiver<u64>,
    handle: F,
    shutdown: CancellationToken,
    grace: Duration,
) -> ShutdownReport
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let grace_ends = tokio::time::Instant::now() + grace;
    let mut running = Running::default();
    running.take_requests(requests, handle, &shutdown).await;
    if shutdown.is_cancelled() {
        // Whatever is left of the grace period.
        let left = grace_ends.saturating_duration_since(tokio::time::Instant::now());
        running.stop_within(left).await;
    } else {
        running.drain().await;
    }
    running.into_report()
}
