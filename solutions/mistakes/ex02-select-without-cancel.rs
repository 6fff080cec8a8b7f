// Mistake: races `join_all` of the spawned tasks' handles against the deadline with `select!`;
// the losing branch drops the handles, which does not stop the tasks.
// Rejected by: late_ops_never_run_after_the_deadline
// Message contains: kept running after all_within returned
// Cause: not-cancelled

pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = ops.into_iter().map(tokio::spawn).collect();
    let n = handles.len();
    tokio::select! {
        outputs = futures::future::join_all(handles) => {
            outputs.into_iter().map(Result::ok).collect()
        }
        _ = tokio::time::sleep(deadline) => (0..n).map(|_| None).collect(),
    }
}
