// Mistake: after the shutdown, wraps each `join_next` in its own `timeout(grace, ...)`: the grace period starts again whenever a request ends, so requests that keep ending hold the shutdown up.
// Rejected by: shutdown_waits_at_most_the_grace_period
// Message contains: the grace period started again when a request ended
// Cause: deadline-per-op

impl Running {
    async fn stop_within(&mut self, grace: Duration) {
        // "Give each of them up to `grace`."
        while let Ok(Some(ended)) =
            tokio::time::timeout(grace, self.tasks.join_next_with_id()).await
        {
            self.record(ended);
        }
        self.tasks.abort_all();
        self.drain().await;
    }
}
