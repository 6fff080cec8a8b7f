// Mistake: reads the file with `std::fs` directly inside the async fn, so the runtime's thread blocks while the file is opened and read.
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: count_lines froze the runtime

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
    let handles: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let work = Arc::clone(&work);
            tokio::task::spawn_blocking(move || work(input))
        })
        .collect();
    let mut results = Vec::new();
    for (index, handle) in handles.into_iter().enumerate() {
        results.push(handle.await.map_err(|_| JobPanicked { index }));
    }
    results
}

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    Ok(std::fs::read_to_string(path)?.lines().count())
}
