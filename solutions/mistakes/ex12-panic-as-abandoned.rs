// Mistake: files every `Err` from `join_next_with_id` under abandoned, so a handler that panicked is reported as aborted at the end of the grace period.
// Rejected by: a_handler_panic_is_passed_on
// Message contains: Filing a crash as a cancellation hides a bug
// Cause: error-swallowed

impl Running {
    fn record(&mut self, ended: Result<(Id, ()), JoinError>) {
        let (task, list) = match ended {
            Ok((task, ())) => (task, &mut self.report.completed),
            Err(e) => (e.id(), &mut self.report.abandoned),
        };
        list.push(self.ids.remove(&task).unwrap());
    }
}
