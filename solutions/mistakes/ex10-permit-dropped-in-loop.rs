// Mistake: takes each job's permit in the spawning loop with a name, `let _permit = ...`, but spawns the job without it: the permit is dropped when that turn of the loop ends, while the job runs on in its task without one, so nothing is limited.
// Rejected by: spawned_jobs_stay_within_the_limiter
// Message contains: so at least one running job held no permit of `limiter`
// Cause: unbounded
// Removes: fn job_task

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
        // Named, so it is kept... until the end of this turn of the loop.
        let _permit = take_slot(&limiter).await;
        let work = job(input);
        tasks.spawn(async move { (i, work.await) });
    }
    in_input_order(n, join_tasks(tasks).await)
}
