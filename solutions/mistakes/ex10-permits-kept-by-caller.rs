// Mistake: the caller takes the permits and keeps them in a Vec "so they stay alive while the tasks run", but they are only dropped when the function ends: once all are taken, the next `acquire` waits forever.
// Rejected by: spawned_jobs_stay_within_the_limiter
// Message contains: the limiter's permits are not given back when a job ends

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
    let mut permits = Vec::new();
    let mut handles = Vec::new();
    for input in inputs {
        permits.push(limiter.acquire().await.expect("never closed"));
        handles.push(tokio::spawn(job(input)));
    }
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("a job panicked"));
    }
    drop(permits);
    outputs
}
