// Mistake: awaits each `spawn_blocking` handle right after spawning it, so a job starts only when the previous one is done: the runtime stays free, but the jobs never overlap.
// Rejected by: several_jobs_run_at_once
// Message contains: one at a time
// Cause: sequential
// Observed peak: 1
// Observed busy: job 0, job 9

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let mut results = Vec::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let work = Arc::clone(&work);
        let result = task::spawn_blocking(move || work(input)).await;
        results.push(result.map_err(|_| JobPanicked { index }));
    }
    results
}
