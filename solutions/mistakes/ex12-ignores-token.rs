// Mistake: never looks at the shutdown token: takes requests until the channel closes, so a server whose clients keep their Sender would never stop.
// Rejected by: shutdown_with_nothing_in_flight_returns_at_once
// Message contains: it did not react to the shutdown
// Cause: ignores-stop

impl Running {
    async fn take_requests<Fut: Future<Output = ()> + Send + 'static>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: impl Fn(u64) -> Fut,
        shutdown: &CancellationToken,
    ) {
        let _ = shutdown;
        while let Some(id) = requests.recv().await {
            self.start(id, handle(id));
        }
    }
}
