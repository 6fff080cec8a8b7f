// Mistake: lists a task that panicked under neither list and goes on: the report looks clean, and the crash of the handler is never seen.
// Rejected by: a_handler_panic_is_passed_on
// Message contains: the panic was swallowed
// Cause: error-swallowed

impl Running {
    fn record(&mut self, ended: Result<(Id, ()), JoinError>) {
        match ended {
            Ok((task, ())) => self.report.completed.extend(self.ids.remove(&task)),
            Err(e) if e.is_cancelled() => self.report.abandoned.extend(self.ids.remove(&e.id())),
            // A crashed handler: nothing to report.
            Err(e) => {
                self.ids.remove(&e.id());
            }
        }
    }
}
