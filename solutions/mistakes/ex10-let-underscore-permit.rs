// Mistake: guards each job with a Semaphore, but `let _ = sem.acquire().await` binds nothing: the permit is dropped at the end of that line, before the job starts, so nothing is limited.
// Rejected by: ten_jobs_with_limit_three_run_three_at_a_time
// Message contains: because `_` does not bind

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
    let sem = Semaphore::new(limit.get());
    let guarded = inputs.into_iter().map(|input| {
        let sem = &sem;
        let job = &job;
        async move {
            // Wait for a slot, then run the job (or so it seems).
            let _ = sem.acquire().await.expect("never closed");
            job(input).await
        }
    });
    futures::future::join_all(guarded).await
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
