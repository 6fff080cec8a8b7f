// Mistake: starts every job at once with `join_all`, ignoring `limit`: 10 000 URLs, 10 000 requests in flight.
// Rejected by: ten_jobs_with_limit_three_run_three_at_a_time
// Message contains: all 10 jobs ran at once
// Cause: unbounded
// Observed peak: 10

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    // The limit is only a hint, isn't it?
    let _ = limit;
    futures::future::join_all(inputs.into_iter().map(job)).await
}
