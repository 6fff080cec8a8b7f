// Mistake: awaits each `spawn_blocking` handle right after spawning it, so a job starts only when the previous one is done: the runtime stays free, but the jobs never overlap.
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
    let mut results = Vec::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let work = Arc::clone(&work);
        let result = tokio::task::spawn_blocking(move || work(input)).await;
        results.push(result.map_err(|_| JobPanicked { index }));
    }
    results
}

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    tokio::task::spawn_blocking(move || Ok(std::fs::read_to_string(path)?.lines().count())).await?
}
