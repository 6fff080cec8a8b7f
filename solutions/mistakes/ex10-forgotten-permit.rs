// Mistake: each task calls `permit.forget()` when its job is done, believing it releases the slot: `forget` removes the permit from the limiter for good.
// Rejected by: every_permit_is_given_back
// Message contains: permits were never given back

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
            // Done with the slot: let it go.
            permit.forget();
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
