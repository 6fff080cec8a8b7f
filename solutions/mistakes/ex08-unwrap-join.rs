// Mistake: unwraps what each JoinHandle gives, so one panicking job panics `run_blocking_all` itself and every other result is lost.
// Rejected by: a_panicking_job_only_loses_its_own_slot
// Message contains: took every result down
// Cause: none

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let handles: Vec<JoinHandle<R>> = inputs
        .into_iter()
        .map(|input| {
            let work = Arc::clone(&work);
            task::spawn_blocking(move || work(input))
        })
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(Ok(handle.await.unwrap()));
    }
    results
}
