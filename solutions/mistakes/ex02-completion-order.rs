// Mistake: collects the outputs in the order the ops finish, then pads with `None`.
// Rejected by: each_op_gets_its_own_result_in_input_order
// Message contains: in the order the ops finished
// Cause: wrong-order

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let deadline = tokio::time::Instant::now() + deadline;
    let count = ops.len();
    let mut set = tokio::task::JoinSet::new();
    for op in ops {
        set.spawn(op);
    }
    let mut results = Vec::new();
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, set.join_next()).await {
        results.push(Some(joined.expect("an op panicked")));
    }
    set.shutdown().await;
    results.resize_with(count, || None);
    results
}
