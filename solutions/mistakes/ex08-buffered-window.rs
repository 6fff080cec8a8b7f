// Mistake: runs the jobs through `buffered(8)`, a window of 8 in flight, in input order: with more than 8 inputs they never all run at once, as the sheet asks.
// Rejected by: several_jobs_run_at_once
// Message contains: `buffered(8)`
// Cause: under-used

use futures::stream::{self, StreamExt};

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    stream::iter(inputs.into_iter().enumerate())
        .map(|(index, input)| {
            let work = Arc::clone(&work);
            async move {
                let joined = task::spawn_blocking(move || work(input)).await;
                joined.map_err(|_| JobPanicked { index })
            }
        })
        // At most 8 jobs in flight: the 9th starts when the 1st is done.
        .buffered(8)
        .collect()
        .await
}
