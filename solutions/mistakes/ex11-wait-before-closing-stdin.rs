// Mistake: waits for each worker while still holding its stdin: the worker waits for its next job, the parent waits for the worker to exit, and neither ever does.
// Rejected by: every_worker_is_waited_for
// Message contains: waits forever

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
            s.spawn(|| {
                let mut child = Command::new(worker_exe)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                let mut stdin = child.stdin.take().unwrap();
                let mut stdout = BufReader::new(child.stdout.take().unwrap());
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let mut line = String::new();
                    let answered = writeln!(stdin, "{job}").is_ok()
                        && stdout.read_line(&mut line).is_ok_and(|n| n > 0);
                    let result = if !answered {
                        child.wait().ok();
                        child = Command::new(worker_exe)
                            .stdin(Stdio::piped())
                            .stdout(Stdio::piped())
                            .spawn()
                            .unwrap();
                        stdin = child.stdin.take().unwrap();
                        stdout = BufReader::new(child.stdout.take().unwrap());
                        Err(JobError::WorkerCrashed)
                    } else {
                        let line = line.trim_end().to_string();
                        match line.strip_prefix("ok ") {
                            Some(text) => Ok(text.to_string()),
                            None => Err(JobError::BadReply(line)),
                        }
                    };
                    results.lock().unwrap()[i] = result;
                }
                // Wait for the worker to finish. (`stdin` is still open here.)
                child.wait().unwrap();
            });
        }
    });
    results.into_inner().unwrap()
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
