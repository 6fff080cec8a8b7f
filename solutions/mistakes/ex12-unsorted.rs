// Mistake: lists the requests in the order they ended, not sorted.
// Rejected by: the_report_lists_the_right_ids_sorted
// Message contains: the lists are not sorted
// Cause: wrong-order

impl Running {
    fn into_report(self) -> ShutdownReport {
        self.report
    }
}
