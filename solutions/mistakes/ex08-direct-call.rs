// Mistake: calls the blocking `work` directly inside the async fn (catching panics per job), so every job runs on the runtime's own thread and freezes every other task.
// Rejected by: the_runtime_keeps_running_while_work_blocks
// Message contains: ran `work` on the runtime's own thread
// Cause: blocking-in-async

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
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(input)))
                .map_err(|_| JobPanicked { index })
        })
        .collect()
}
