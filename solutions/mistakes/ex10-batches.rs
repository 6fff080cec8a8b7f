// Mistake: runs the jobs in batches of `limit` with `join_all`, waiting for the whole batch before starting the next, so a free slot stays empty until the batch's slowest job is done.
// Rejected by: a_free_slot_is_refilled_at_once
// Message contains: batches: you waited for the whole group before starting the next

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let mut outputs = Vec::with_capacity(inputs.len());
    let mut inputs = inputs.into_iter();
    loop {
        let batch: Vec<Fut> = inputs.by_ref().take(limit.get()).map(&job).collect();
        if batch.is_empty() {
            return outputs;
        }
        outputs.extend(futures::future::join_all(batch).await);
    }
}

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
