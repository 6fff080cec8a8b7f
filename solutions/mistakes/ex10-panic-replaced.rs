// Mistake: `expect`s every task's result, so a job's panic reaches the caller as a different panic ("a job panicked: ..."), not the job's own.
// Rejected by: a_job_panic_reaches_the_caller_unchanged
// Message contains: The job's panic was replaced by another one

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
        let permit = Arc::clone(&limiter)
            .acquire_owned()
            .await
            .expect("never closed");
        let work = job(input);
        tasks.spawn(async move {
            let output = work.await;
            drop(permit);
            (i, output)
        });
    }
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (i, output) = joined.expect("a job panicked");
        slots[i] = Some(output);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("one output per input"))
        .collect()
}
