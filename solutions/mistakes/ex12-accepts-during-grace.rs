// Mistake: the shutdown only starts the grace timer; the loop keeps taking new requests until the grace period ends.
// Rejected by: no_new_requests_are_started_after_shutdown
// Message contains: serve kept taking requests after the shutdown
// Cause: ignores-stop
// Observed busy: request 22, request 23
// Removes: impl Running::fn take_requests, impl Running::fn stop_within

pub async fn serve<F, Fut>(
    mut requests: mpsc::Receiver<u64>,
    handle: F,
    shutdown: CancellationToken,
    grace: Duration,
) -> ShutdownReport
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut running = Running::default();
    let mut grace_ends = None;
    let mut closed = false;
    loop {
        let until = grace_ends.unwrap_or_else(tokio::time::Instant::now);
        tokio::select! {
            biased;
            _ = shutdown.cancelled(), if grace_ends.is_none() => {
                grace_ends = Some(tokio::time::Instant::now() + grace);
            }
            _ = tokio::time::sleep_until(until), if grace_ends.is_some() => {
                running.tasks.abort_all();
                break;
            }
            Some(ended) = running.tasks.join_next_with_id() => {
                running.record(ended);
                if (closed || grace_ends.is_some()) && running.tasks.is_empty() {
                    break;
                }
            }
            request = requests.recv(), if !closed => match request {
                Some(id) => running.start(id, handle(id)),
                None => {
                    closed = true;
                    if running.tasks.is_empty() {
                        break;
                    }
                }
            },
        }
    }
    running.drain().await;
    running.into_report()
}
