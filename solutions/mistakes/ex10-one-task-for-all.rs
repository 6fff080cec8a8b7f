// Mistake: spawns one task that runs every job (with the limiter's permits) instead of one task per job.
// Rejected by: every_job_runs_in_a_task_of_its_own
// Message contains: ran in the same tokio task

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use tokio::sync::Semaphore;

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let mut slots: Vec<Option<T>> = (0..inputs.len()).map(|_| None).collect();
    let mut outputs = futures::stream::iter(inputs.into_iter().enumerate())
        .map(|(i, input)| job(input).map(move |output| (i, output)))
        .buffer_unordered(limit.get());
    while let Some((i, output)) = outputs.next().await {
        slots[i] = Some(output);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("one output per input"))
        .collect()
}

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
    all.await.expect("the jobs' task panicked")
}
