// Mistake: never checks for end of file: after a crash `read_line` returns Ok(0) with an empty line, which becomes Err(BadReply("")), and the dead worker keeps getting jobs (write errors ignored).
// Rejected by: a_crash_only_loses_its_own_job
// Message contains: `read_line` returns Ok(0)

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
                let Ok(mut child) = Command::new(worker_exe)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                else {
                    return;
                };
                let mut stdin = child.stdin.take().unwrap();
                let mut stdout = BufReader::new(child.stdout.take().unwrap());
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let _ = writeln!(stdin, "{job}");
                    let mut line = String::new();
                    let _ = stdout.read_line(&mut line);
                    let line = line.trim_end().to_string();
                    let result = match line.strip_prefix("ok ") {
                        Some(text) => Ok(text.to_string()),
                        None => Err(JobError::BadReply(line)),
                    };
                    results.lock().unwrap()[i] = result;
                }
                drop(stdin);
                let _ = child.wait();
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
