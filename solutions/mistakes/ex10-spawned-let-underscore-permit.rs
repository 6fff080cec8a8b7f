// Mistake: each spawned task takes a permit with `let _ = limiter.acquire().await`, which binds nothing: the permit is given back at the end of that line, and the job runs without one.
// Rejected by: spawned_jobs_stay_within_the_limiter
// Message contains: drops it at once: `_` does not bind

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

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
    let n = inputs.len();
    let mut tasks = JoinSet::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let limiter = Arc::clone(&limiter);
        let work = job(input);
        tasks.spawn(async move {
            // Wait for a slot, then run the job (or so it seems).
            let _ = limiter.acquire().await.expect("never closed");
            (i, work.await)
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
