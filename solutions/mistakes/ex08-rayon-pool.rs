// Mistake: sends each job to rayon's pool and awaits a oneshot (the sheet's advice for CPU-heavy work): the runtime stays free, but rayon runs only one job per core at once, and blocking jobs wait in its queue.
// Rejected by: several_jobs_run_at_once
// Message contains: rayon's thread pool
// Cause: under-used

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let answers: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let work = Arc::clone(&work);
            let (tx, rx) = tokio::sync::oneshot::channel();
            rayon::spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(input)));
                let _ = tx.send(result);
            });
            rx
        })
        .collect();
    let mut results = Vec::new();
    for (index, answer) in answers.into_iter().enumerate() {
        results.push(match answer.await {
            Ok(Ok(value)) => Ok(value),
            _ => Err(JobPanicked { index }),
        });
    }
    results
}
