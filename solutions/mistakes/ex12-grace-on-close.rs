// Mistake: treats a closed channel like a shutdown and gives the running requests only the grace period, although no shutdown was requested.
// Rejected by: closed_channel_lets_every_request_finish
// Message contains: A closed channel only means that no request will come
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
    let mut running = Running::default();
    running.take_requests(requests, handle, &shutdown).await;
    running.stop_within(grace).await;
    running.into_report()
}
