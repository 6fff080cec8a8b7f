// Mistake: aborts every running request as soon as the shutdown comes, without giving them the grace period.
// Rejected by: requests_finishing_within_the_grace_period_complete
// Message contains: without any grace
// Cause: none

impl Running {
    async fn stop_within(&mut self, grace: Duration) {
        let _ = grace;
        self.tasks.abort_all();
        self.drain().await;
    }
}
