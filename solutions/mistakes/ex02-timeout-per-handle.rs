// Mistake: spawns every op at once, then awaits the handles one by one, each with a fresh
// `timeout(deadline, ..)`: the later ops get more than the deadline.
// Rejected by: ops_share_one_deadline
// Message contains: each op got a fresh `timeout(deadline, ..)`
// Observed peak: 4
// Observed busy: op 0, op 1, op 2, op 3

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = ops.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        let abort = handle.abort_handle();
        match tokio::time::timeout(deadline, handle).await {
            Ok(output) => results.push(output.ok()),
            Err(_) => {
                abort.abort();
                results.push(None);
            }
        }
    }
    results
}
