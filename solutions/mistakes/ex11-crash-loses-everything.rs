// Mistake: reads the answers with `lines().next().expect(...)`: when a worker crashes there is no next line, the thread panics, and the panic takes every result down with it.
// Rejected by: a_crash_only_loses_its_own_job
// Message contains: One crash must cost only its own job

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
                    .expect("the worker starts");
                let mut stdin = child.stdin.take().expect("stdin is piped");
                let mut answers =
                    BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    writeln!(stdin, "{job}").expect("the worker takes the job");
                    let line = answers
                        .next()
                        .expect("the worker answers every job")
                        .expect("the answer is text");
                    let result = match line.strip_prefix("ok ") {
                        Some(text) => Ok(text.to_string()),
                        None => Err(JobError::BadReply(line)),
                    };
                    results.lock().unwrap()[i] = result;
                }
                drop(stdin);
                child.wait().expect("the worker exits");
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
