// Mistake: after the shutdown, sleeps the whole grace period before collecting the requests, even when they are all done long before.
// Rejected by: shutdown_with_nothing_in_flight_returns_at_once
// Message contains: waited out the whole grace period
// Cause: none

impl Running {
    async fn stop_within(&mut self, grace: Duration) {
        tokio::time::sleep(grace).await;
        self.tasks.abort_all();
        self.drain().await;
    }
}
