// Mistake: aborts the late requests but returns without waiting for them: they are only cancelled later, after serve has returned.
// Rejected by: abandoned_requests_are_stopped_before_serve_returns
// Message contains: had not been dropped yet
// Cause: never-joined

impl Running {
    async fn stop_within(&mut self, grace: Duration) {
        if tokio::time::timeout(grace, self.drain()).await.is_err() {
            // Whatever is still in the map was not done: abandon it.
            self.tasks.abort_all();
            self.report
                .abandoned
                .extend(self.ids.drain().map(|(_, id)| id));
        }
    }
}
