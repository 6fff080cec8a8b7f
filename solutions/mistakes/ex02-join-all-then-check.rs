// Mistake: awaits every op with `join_all`, then keeps the outputs that came before the deadline.
// Rejected by: all_within_ends_at_the_deadline
// Message contains: waited for every op with no time limit
// Cause: no-timeout

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let start = tokio::time::Instant::now();
    let timed = ops.into_iter().map(|op| async move {
        let output = op.await;
        (output, start.elapsed())
    });
    futures::future::join_all(timed)
        .await
        .into_iter()
        .map(|(output, took)| (took <= deadline).then_some(output))
        .collect()
}
