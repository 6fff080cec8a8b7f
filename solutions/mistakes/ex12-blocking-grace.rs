// Mistake: sleeps the grace period with `std::thread::sleep`: the thread blocks, so no request runs during the grace period (and tokio's clock stands still); then it aborts them all.
// Rejected by: requests_finishing_within_the_grace_period_complete
// Message contains: was it slept with `std::thread::sleep(grace)`?
// Cause: blocking-in-async

impl Running {
    async fn stop_within(&mut self, grace: Duration) {
        // "Give them time to finish."
        std::thread::sleep(grace);
        self.tasks.abort_all();
        self.drain().await;
    }
}
