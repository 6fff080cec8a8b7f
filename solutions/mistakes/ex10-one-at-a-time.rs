// Mistake: awaits each job inside the loop before calling the next one, so only one job is ever in flight: a limit of 1 by accident.
// Rejected by: ten_jobs_with_limit_three_run_three_at_a_time
// Message contains: ran the jobs one after another
// Cause: sequential
// Observed peak: 1
// Observed busy: job 0, job 9

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    // Never more than `limit` in flight: trivially true with one at a time.
    let _ = limit;
    let mut outputs = Vec::with_capacity(inputs.len());
    for input in inputs {
        outputs.push(job(input).await);
    }
    outputs
}
