// Mistake: runs each job on a `std::thread` (all started at once) but then `join()`s them inside the async fn, so the runtime's thread blocks until every job is done.
// Rejected by: the_runtime_keeps_running_while_work_blocks
// Message contains: stuck waiting for the job

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPanicked {
    pub index: usize,
}

impl fmt::Display for JobPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {} panicked", self.index)
    }
}

impl std::error::Error for JobPanicked {}

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
    threads
        .into_iter()
        .enumerate()
        .map(|(index, thread)| thread.join().map_err(|_| JobPanicked { index }))
        .collect()
}

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    tokio::task::spawn_blocking(move || Ok(std::fs::read_to_string(path)?.lines().count())).await?
}
