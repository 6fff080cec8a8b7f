// Mistake: spawns the ops and drops late ones' `JoinHandle`s, which leaves the tasks running.
// Rejected by: late_ops_never_run_after_the_deadline
// Message contains: kept running after all_within returned
// Cause: not-cancelled

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let deadline = tokio::time::Instant::now() + deadline;
    let handles: Vec<_> = ops.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        // On timeout the handle is dropped: that detaches the task, it does not stop it.
        let output = tokio::time::timeout_at(deadline, handle).await;
        results.push(output.ok().and_then(Result::ok));
    }
    results
}
