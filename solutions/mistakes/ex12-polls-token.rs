// Mistake: polls instead of waiting: a loop that checks `is_cancelled()` and `try_recv()` and yields when there is nothing to do. The runtime is never idle, so tokio's paused clock never moves (and a real server would burn a core).
// Rejected by: shutdown_with_nothing_in_flight_returns_at_once
// Message contains: something blocks the thread or spins
// Cause: busy-loop

impl Running {
    async fn take_requests<Fut: Future<Output = ()> + Send + 'static>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: impl Fn(u64) -> Fut,
        shutdown: &CancellationToken,
    ) {
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            match requests.try_recv() {
                Ok(id) => self.start(id, handle(id)),
                Err(mpsc::error::TryRecvError::Empty) => tokio::task::yield_now().await,
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            }
        }
    }
}
