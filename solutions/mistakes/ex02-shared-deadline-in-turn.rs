// Mistake: computes one shared deadline but still awaits the ops one after another.
// Rejected by: ops_share_one_deadline
// Message contains: what was left of the deadline
// Cause: sequential
// Observed peak: 1
// Observed busy: op 0, op 1
// Observed empty: op 2, op 3

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let deadline = tokio::time::Instant::now() + deadline;
    let mut results = Vec::new();
    for op in ops {
        results.push(tokio::time::timeout_at(deadline, op).await.ok());
    }
    results
}
