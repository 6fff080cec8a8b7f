// Mistake: calls the blocking `work` directly inside the async fn (catching panics per job), so every job runs on the runtime's own thread and freezes every other task.
// Rejected by: the_runtime_keeps_running_while_work_blocks
// Message contains: ran `work` on the runtime's own thread

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
    let _ = Arc::new(());
    inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(input)))
                .map_err(|_| JobPanicked { index })
        })
        .collect()
}

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    tokio::task::spawn_blocking(move || Ok(std::fs::read_to_string(path)?.lines().count())).await?
}
