// Mistake: spawns the ops and sleeps the whole deadline, even when all ops are done early.
// Rejected by: all_within_returns_as_soon_as_every_op_is_done
// Message contains: waited out the whole deadline
// Cause: none

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = ops.into_iter().map(tokio::spawn).collect();
    tokio::time::sleep(deadline).await;
    let mut results = Vec::new();
    for handle in handles {
        if handle.is_finished() {
            results.push(handle.await.ok());
        } else {
            handle.abort();
            let _ = handle.await;
            results.push(None);
        }
    }
    results
}
