// Mistake: "all at once" as a window as wide as the input, `buffered(inputs.len())`: right for every non-empty input, but a window of 0 never pulls from the stream, so with no inputs it never finishes.
// Rejected by: no_inputs_give_no_results
// Message contains: stayed pending with no job running
// Cause: none

use futures::stream::{self, StreamExt};

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let all = inputs.len();
    stream::iter(inputs.into_iter().enumerate())
        .map(|(index, input)| {
            let work = Arc::clone(&work);
            async move {
                let joined = task::spawn_blocking(move || work(input)).await;
                joined.map_err(|_| JobPanicked { index })
            }
        })
        .buffered(all)
        .collect()
        .await
}
