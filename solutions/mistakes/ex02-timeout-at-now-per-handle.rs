// Mistake: spawns every op at once and races each handle against `timeout_at`, but computes the
// instant inside the loop, `Instant::now() + deadline`, so it restarts for each handle in turn.
// Rejected by: all_within_ends_at_the_deadline
// Message contains: or an instant computed inside the loop, restarts the clock
// Cause: deadline-per-op

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = ops.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::new();
    for mut handle in handles {
        let until = tokio::time::Instant::now() + deadline;
        match tokio::time::timeout_at(until, &mut handle).await {
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
