// Mistake: spawns each request with tokio::spawn and, at the end of the grace period, drops the JoinHandles of the late ones: dropping a JoinHandle does not stop its task.
// Rejected by: abandoned_requests_are_stopped_before_serve_returns
// Message contains: kept running after serve returned
// Cause: not-cancelled
// Removes: struct Running, impl Running

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
    let mut running = Vec::new();
    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            request = requests.recv() => match request {
                Some(id) => running.push((id, tokio::spawn(handle(id)))),
                None => break,
            },
        }
    }
    drop(requests);
    let mut report = ShutdownReport::default();
    let grace_ends = tokio::time::Instant::now() + grace;
    for (id, task) in running {
        if !shutdown.is_cancelled() {
            task.await.unwrap();
            report.completed.push(id);
        } else {
            match tokio::time::timeout_at(grace_ends, task).await {
                Ok(Ok(())) => report.completed.push(id),
                Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
                Err(_) => report.abandoned.push(id),
            }
        }
    }
    report.completed.sort_unstable();
    report.abandoned.sort_unstable();
    report
}
