// Mistake: waits for a permit by polling `try_acquire_owned` in a loop with `yield_now().await` in between: the runtime never goes idle, so tokio's paused clock never moves on and the running jobs never finish.
// Rejected by: spawned_jobs_stay_within_the_limiter
// Message contains: A task was polling in a loop instead of waiting

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
        // Don't block: check for a free permit, and let the others run meanwhile.
        let permit = loop {
            match Arc::clone(&limiter).try_acquire_owned() {
                Ok(permit) => break permit,
                Err(_) => tokio::task::yield_now().await,
            }
        };
        let work = job(input);
        tasks.spawn(async move {
            let output = work.await;
            drop(permit);
            (i, output)
        });
    }
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, output)) => slots[i] = Some(output),
            Err(e) => panic::resume_unwind(e.into_panic()),
        }
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("one output per input"))
        .collect()
}
