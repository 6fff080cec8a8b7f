// Mistake: limits the jobs with the limiter's permits but never spawns them: `join_all` polls them all inside the caller's own future, so no job runs in a task of its own.
// Rejected by: every_job_runs_in_a_task_of_its_own
// Message contains: ran outside any spawned task
// Cause: none
// Observed busy: no task
// Observed empty: task 1, task 2
// Removes: fn take_slot, fn job_task, fn join_tasks

pub async fn spawn_bounded<I, T, F, Fut>(inputs: Vec<I>, limiter: Arc<Semaphore>, job: F) -> Vec<T>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let guarded = inputs.into_iter().map(|input| {
        let limiter = &limiter;
        let job = &job;
        async move {
            let _permit = limiter.acquire().await.expect("never closed");
            job(input).await
        }
    });
    futures::future::join_all(guarded).await
}
