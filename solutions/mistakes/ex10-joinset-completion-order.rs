// Mistake: collects the tasks' outputs with `JoinSet::join_next` as they come, so they are in the order the jobs finished, not the order of `inputs`.
// Rejected by: spawned_outputs_come_back_in_input_order
// Message contains: in the order the jobs finished
// Cause: wrong-order
// Removes: fn job_task

pub async fn spawn_bounded<I, T, F, Fut>(inputs: Vec<I>, limiter: Arc<Semaphore>, job: F) -> Vec<T>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut tasks = JoinSet::new();
    for input in inputs {
        let permit = take_slot(&limiter).await;
        let work = job(input);
        tasks.spawn(async move {
            let output = work.await;
            drop(permit);
            output
        });
    }
    join_tasks(tasks).await
}
