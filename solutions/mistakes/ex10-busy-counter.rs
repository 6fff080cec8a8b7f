// Mistake: counts the running jobs in an atomic and lets each job wait for a free slot by checking the counter in a loop with `yield_now().await`: the runtime is never idle, so tokio's paused clock never moves on and the running jobs never finish.
// Rejected by: ten_jobs_with_limit_three_run_three_at_a_time
// Message contains: polling in a loop
// Cause: busy-loop

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let running = std::sync::atomic::AtomicUsize::new(0);
    let guarded = inputs.into_iter().map(|input| {
        let (running, job) = (&running, &job);
        async move {
            use std::sync::atomic::Ordering::SeqCst;
            // Take a slot if one is free; otherwise let the others run, and check again.
            while running
                .fetch_update(SeqCst, SeqCst, |r| (r < limit.get()).then_some(r + 1))
                .is_err()
            {
                tokio::task::yield_now().await;
            }
            let out = job(input).await;
            running.fetch_sub(1, SeqCst);
            out
        }
    });
    futures::future::join_all(guarded).await
}
