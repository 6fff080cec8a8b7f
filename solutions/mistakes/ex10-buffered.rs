// Mistake: `buffered(limit)` instead of `buffer_unordered(limit)`: outputs keep the input order, but a finished output waits in the window for the slow job before it and still counts towards the limit, so one slow first job stalls the window.
// Rejected by: a_slow_first_job_does_not_stall_the_window
// Message contains: That is what `buffered(k)` does
// Cause: batches

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    // In input order, at most `limit` at a time: looks perfect.
    futures::stream::iter(inputs)
        .map(job)
        .buffered(limit.get())
        .collect()
        .await
}
