// Mistake: spawns one task that runs every job (with the limiter's permits) instead of one task per job.
// Rejected by: every_job_runs_in_a_task_of_its_own
// Message contains: ran in the same tokio task
// Cause: none
// Observed busy: task 1
// Observed empty: task 2, task 3, task 4, task 5, task 6
// Removes: fn take_slot, fn job_task, fn join_tasks

pub async fn spawn_bounded<I, T, F, Fut>(inputs: Vec<I>, limiter: Arc<Semaphore>, job: F) -> Vec<T>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let all = tokio::spawn(async move {
        let guarded = inputs.into_iter().map(|input| {
            let limiter = &limiter;
            let job = &job;
            async move {
                let _permit = limiter.acquire().await.expect("never closed");
                job(input).await
            }
        });
        futures::future::join_all(guarded).await
    });
    match all.await {
        Ok(outputs) => outputs,
        Err(e) => panic::resume_unwind(e.into_panic()),
    }
}
