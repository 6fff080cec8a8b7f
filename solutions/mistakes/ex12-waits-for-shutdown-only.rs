// Mistake: `Some(id) = requests.recv()` in select! disables that branch once the channel is closed, and serve then waits for a shutdown that never comes.
// Rejected by: closed_channel_without_requests_returns_at_once
// Message contains: no shutdown may ever come
// Cause: none

impl Running {
    async fn take_requests<Fut: Future<Output = ()> + Send + 'static>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: impl Fn(u64) -> Fut,
        shutdown: &CancellationToken,
    ) {
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                Some(ended) = self.tasks.join_next_with_id() => self.record(ended),
                Some(id) = requests.recv() => self.start(id, handle(id)),
            }
        }
    }
}
