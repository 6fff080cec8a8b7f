// Mistake: the caller takes the permits and keeps them in a Vec "so they stay alive while the tasks run", but they are only dropped when the function ends: once all are taken, the next `acquire` waits forever.
// Rejected by: spawned_jobs_stay_within_the_limiter
// Message contains: held by no job
// Cause: resource-leaked
// Observed peak: 3
// Observed busy: job 0, job 1, job 2
// Observed empty: job 3, job 9
// Removes: fn take_slot, fn job_task, fn join_tasks

pub async fn spawn_bounded<I, T, F, Fut>(inputs: Vec<I>, limiter: Arc<Semaphore>, job: F) -> Vec<T>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut permits = Vec::new();
    let mut handles = Vec::new();
    for input in inputs {
        permits.push(limiter.acquire().await.expect("never closed"));
        handles.push(tokio::spawn(job(input)));
    }
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(output) => outputs.push(output),
            Err(e) => panic::resume_unwind(e.into_panic()),
        }
    }
    drop(permits);
    outputs
}
