// Mistake: maps the inputs to `spawn_blocking` handles but never collects them: the iterator is lazy, so each job is spawned only when the loop reaches it, right before it is awaited.
// Rejected by: several_jobs_run_at_once
// Message contains: one job at a time

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
    let handles = inputs.into_iter().map(|input| {
        let work = Arc::clone(&work);
        tokio::task::spawn_blocking(move || work(input))
    });
    let mut results = Vec::new();
    for (index, handle) in handles.enumerate() {
        results.push(handle.await.map_err(|_| JobPanicked { index }));
    }
    results
}

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    tokio::task::spawn_blocking(move || Ok(std::fs::read_to_string(path)?.lines().count())).await?
}
