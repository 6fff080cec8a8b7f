// Mistake: unwraps what each JoinHandle gives, so one panicking job panics `run_blocking_all` itself and every other result is lost.
// Rejected by: a_panicking_job_only_loses_its_own_slot
// Message contains: took every result down

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
    for handle in handles {
        results.push(Ok(handle.await.unwrap()));
    }
    results
}

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    tokio::task::spawn_blocking(move || Ok(std::fs::read_to_string(path)?.lines().count())).await?
}
