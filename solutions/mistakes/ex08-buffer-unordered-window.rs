// Mistake: runs the jobs through `buffer_unordered(8)` and sorts the results back by index: the order is right, but only 8 jobs are ever in flight, not all of them at once as the sheet asks.
// Rejected by: several_jobs_run_at_once
// Message contains: never more than 8 of the 10 jobs were in flight at once
// Cause: under-used
// Observed peak: 8
// Observed busy: job 0, job 9

use futures::stream::{self, StreamExt};

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let mut results: Vec<(usize, Result<R, JobPanicked>)> =
        stream::iter(inputs.into_iter().enumerate())
            .map(|(index, input)| {
                let work = Arc::clone(&work);
                async move {
                    let joined = task::spawn_blocking(move || work(input)).await;
                    (index, joined.map_err(|_| JobPanicked { index }))
                }
            })
            // A window of 8 jobs in flight.
            .buffer_unordered(8)
            .collect()
            .await;
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}
