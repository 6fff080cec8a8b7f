// Mistake: returns at the deadline, dropping its `JoinSet` without waiting for the aborted tasks.
// Rejected by: late_ops_are_dropped_before_all_within_returns
// Message contains: still alive when all_within returned
// Cause: not-cancelled

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let deadline = tokio::time::Instant::now() + deadline;
    let mut results: Vec<Option<T>> = ops.iter().map(|_| None).collect();
    let mut set = tokio::task::JoinSet::new();
    for (index, op) in ops.into_iter().enumerate() {
        set.spawn(async move { (index, op.await) });
    }
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, set.join_next()).await {
        let (index, output) = joined.expect("an op panicked");
        results[index] = Some(output);
    }
    // Dropping the set aborts the late tasks, but they are dropped only later.
    results
}
