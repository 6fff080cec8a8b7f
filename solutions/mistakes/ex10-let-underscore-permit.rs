// Mistake: guards each job with a Semaphore, but `let _ = sem.acquire().await` binds nothing: the permit is dropped at the end of that line, before the job starts, so nothing is limited.
// Rejected by: ten_jobs_with_limit_three_run_three_at_a_time
// Message contains: because `_` does not bind
// Cause: unbounded

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let sem = Semaphore::new(limit.get());
    let guarded = inputs.into_iter().map(|input| {
        let sem = &sem;
        let job = &job;
        async move {
            // Wait for a slot, then run the job (or so it seems).
            let _ = sem.acquire().await.expect("never closed");
            job(input).await
        }
    });
    futures::future::join_all(guarded).await
}
