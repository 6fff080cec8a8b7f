// Mistake: copies the limiter's permit count into a Semaphore of its own, so each call limits only itself: two callers sharing a limiter of 2 run 4 jobs at once.
// Rejected by: two_callers_share_one_limiter
// Message contains: Each call limited only itself

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
    // The same number of slots as the limiter: same thing, right?
    let own = Arc::new(Semaphore::new(limiter.available_permits()));
    let n = inputs.len();
    let mut tasks = JoinSet::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let permit = Arc::clone(&own)
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
