// Mistake: after the shutdown, waits for every running request to finish, with no time limit: one slow request holds the shutdown up.
// Rejected by: shutdown_waits_at_most_the_grace_period
// Message contains: waited for every request to finish with no time limit
// Cause: no-timeout

impl Running {
    async fn stop_within(&mut self, grace: Duration) {
        let _ = grace;
        self.drain().await;
    }
}
