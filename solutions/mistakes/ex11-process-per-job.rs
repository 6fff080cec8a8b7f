// Mistake: starts a fresh worker process for every job (spawn, send one job, close, wait): at most `workers` at once, but not a pool.
// Rejected by: every_job_gets_its_answer
// Message contains: A new process for every job is not a pool

use std::io::{BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    WorkerCrashed,
    BadReply(String),
}

pub fn run_jobs(
    worker_exe: &Path,
    workers: NonZeroUsize,
    jobs: &[String],
) -> Vec<Result<String, JobError>> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![Err(JobError::WorkerCrashed); jobs.len()]);
    thread::scope(|s| {
        for _ in 0..workers.get().min(jobs.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let result = run_one(worker_exe, job);
                results.lock().unwrap()[i] = result;
            });
        }
    });
    results.into_inner().unwrap()
}

/// One process for one job: nothing can go wrong between jobs.
fn run_one(worker_exe: &Path, job: &str) -> Result<String, JobError> {
    let Ok(mut child) = Command::new(worker_exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        return Err(JobError::WorkerCrashed);
    };
    let mut stdin = child.stdin.take().unwrap();
    let _ = writeln!(stdin, "{job}");
    drop(stdin);
    let mut line = String::new();
    let n = BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap_or(0);
    let _ = child.wait();
    if n == 0 {
        return Err(JobError::WorkerCrashed);
    }
    let line = line.trim_end().to_string();
    match line.strip_prefix("ok ") {
        Some(text) => Ok(text.to_string()),
        None => Err(JobError::BadReply(line)),
    }
}

pub fn histogram(data: &[u8], threads: NonZeroUsize) -> [u64; 256] {
    let counts: [AtomicU64; 256] = std::array::from_fn(|_| AtomicU64::new(0));
    let part = data.len().div_ceil(threads.get()).max(1);
    thread::scope(|s| {
        for chunk in data.chunks(part) {
            let counts = &counts;
            s.spawn(move || {
                for &b in chunk {
                    counts[b as usize].fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    counts.map(AtomicU64::into_inner)
}
