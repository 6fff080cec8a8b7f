// Mistake: puts one timeout around `join_all` of all ops, so a miss loses every result.
// Rejected by: each_op_gets_its_own_result_in_input_order
// Message contains: even for ops that finished in time
// Cause: none

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let n = ops.len();
    match tokio::time::timeout(deadline, futures::future::join_all(ops)).await {
        Ok(outs) => outs.into_iter().map(Some).collect(),
        Err(_) => (0..n).map(|_| None).collect(),
    }
}
