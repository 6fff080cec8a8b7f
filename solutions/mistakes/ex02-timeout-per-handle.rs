// Mistake: spawns every op at once, then awaits the handles one by one, each with a fresh
// `timeout(deadline, ..)`: the later ops get more than the deadline.
// Rejected by: all_within_ends_at_the_deadline
// Message contains: exactly one deadline after ops[0] was done
// Cause: deadline-per-op
// Observed peak: 2
// Observed busy: op 0, op 1

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = ops.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::new();
    for mut handle in handles {
        // A fresh timeout for each handle: it restarts when the previous one is done.
        match tokio::time::timeout(deadline, &mut handle).await {
            Ok(output) => results.push(output.ok()),
            Err(_) => {
                handle.abort();
                let _ = handle.await;
                results.push(None);
            }
        }
    }
    results
}
