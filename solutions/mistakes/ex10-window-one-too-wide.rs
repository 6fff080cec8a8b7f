// Mistake: a window one wider than the limit (`buffer_unordered(limit.get() + 1)`, an off-by-one "the caller's slot plus limit jobs"): one job too many in flight all the time.
// Rejected by: ten_jobs_with_limit_three_run_three_at_a_time
// Message contains: 4 jobs ran at the same time, but at most 3 may
// Cause: unbounded
// Observed peak: 4

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let n = inputs.len();
    let outputs = futures::stream::iter(inputs.into_iter().enumerate())
        .map(|(i, input)| job(input).map(move |output| (i, output)))
        .buffer_unordered(limit.get() + 1);
    in_input_order(n, outputs.collect().await)
}
