// Mistake: wraps each call in `tokio::task::block_in_place`, which only works on a multi-thread runtime and panics on a current-thread one.
// Rejected by: the_runtime_keeps_running_while_work_blocks
// Message contains: block_in_place
// Cause: none

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| {
            // Fine on a multi-thread runtime; `#[tokio::test]` is a current-thread one.
            tokio::task::block_in_place(|| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(input)))
                    .map_err(|_| JobPanicked { index })
            })
        })
        .collect()
}
