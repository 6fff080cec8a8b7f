// Mistake: collects the results from a `JoinSet` with `join_next`, so they come back in the order the jobs finished, not in the order of `inputs`.
// Rejected by: results_keep_the_input_order
// Message contains: returned the right results in the wrong order
// Cause: wrong-order

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let mut set = tokio::task::JoinSet::new();
    let mut index_of = std::collections::HashMap::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let work = Arc::clone(&work);
        let handle = set.spawn_blocking(move || work(input));
        index_of.insert(handle.id(), index);
    }
    // Pushed as they finish: the slots follow the finishing order.
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        results.push(joined.map_err(|e| JobPanicked {
            index: index_of[&e.id()],
        }));
    }
    results
}
