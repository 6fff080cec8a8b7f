// Mistake: each spawned task takes a permit with `let _ = limiter.acquire().await`, which binds nothing: the permit is given back at the end of that line, and the job runs without one.
// Rejected by: spawned_jobs_stay_within_the_limiter
// Message contains: drops it at once: `_` does not bind
// Cause: unbounded
// Removes: fn take_slot, fn job_task

pub async fn spawn_bounded<I, T, F, Fut>(inputs: Vec<I>, limiter: Arc<Semaphore>, job: F) -> Vec<T>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let n = inputs.len();
    let mut tasks = JoinSet::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let limiter = Arc::clone(&limiter);
        let work = job(input);
        tasks.spawn(async move {
            // Wait for a slot, then run the job (or so it seems).
            let _ = limiter.acquire().await.expect("never closed");
            (i, work.await)
        });
    }
    in_input_order(n, join_tasks(tasks).await)
}
