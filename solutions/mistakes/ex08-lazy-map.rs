// Mistake: maps the inputs to `spawn_blocking` handles but never collects them: the iterator is lazy, so each job is spawned only when the loop reaches it, right before it is awaited.
// Rejected by: several_jobs_run_at_once
// Message contains: one at a time
// Cause: sequential

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    // No `.collect()`: nothing is spawned yet.
    let handles = inputs.into_iter().map(|input| {
        let work = Arc::clone(&work);
        task::spawn_blocking(move || work(input))
    });
    let mut results = Vec::new();
    for (index, handle) in handles.enumerate() {
        results.push(handle.await.map_err(|_| JobPanicked { index }));
    }
    results
}
