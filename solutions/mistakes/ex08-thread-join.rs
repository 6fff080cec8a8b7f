// Mistake: runs each job on a `std::thread` (all started at once) but then `join()`s them inside the async fn, so the runtime's thread blocks until every job is done.
// Rejected by: the_runtime_keeps_running_while_work_blocks
// Message contains: stuck waiting for the job
// Cause: blocking-in-async

pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let threads: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let work = Arc::clone(&work);
            std::thread::spawn(move || work(input))
        })
        .collect();
    // `join()` blocks the runtime's thread.
    threads
        .into_iter()
        .enumerate()
        .map(|(index, thread)| thread.join().map_err(|_| JobPanicked { index }))
        .collect()
}
