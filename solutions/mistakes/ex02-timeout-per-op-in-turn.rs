// Mistake: gives each op its own timeout and awaits them one after another, so the times add up.
// Rejected by: ops_share_one_deadline
// Message contains: each with its own timeout
// Cause: sequential
// Observed peak: 1
// Observed busy: op 0, op 1, op 2, op 3

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut results = Vec::new();
    for op in ops {
        results.push(tokio::time::timeout(deadline, op).await.ok());
    }
    results
}
