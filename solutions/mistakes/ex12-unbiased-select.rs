// Mistake: a select! without `biased;`: when the shutdown and a queued request are both ready, it picks one at random, and sometimes starts the request.
// Rejected by: no_new_requests_are_started_after_shutdown
// Message contains: queued in the channel
// Cause: ignores-stop

impl Running {
    async fn take_requests<Fut: Future<Output = ()> + Send + 'static>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: impl Fn(u64) -> Fut,
        shutdown: &CancellationToken,
    ) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                Some(ended) = self.tasks.join_next_with_id() => self.record(ended),
                request = requests.recv() => match request {
                    Some(id) => self.start(id, handle(id)),
                    None => break,
                },
            }
        }
    }
}
