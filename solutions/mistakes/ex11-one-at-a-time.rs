// Mistake: starts the worker processes, but drives them all from one loop: send a job, wait for its answer, next job to the next worker. Several processes, one job at a time.
// Rejected by: workers_run_at_the_same_time
// Message contains: one job at a time

use std::io::{self, BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
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
    let count = workers.get().min(jobs.len());
    let mut pool: Vec<Option<Worker>> =
        (0..count).map(|_| Worker::start(worker_exe).ok()).collect();
    let mut results = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        let slot = &mut pool[i % count];
        if slot.is_none() {
            *slot = Worker::start(worker_exe).ok();
        }
        let result = match slot.as_mut().and_then(|w| w.ask(job)) {
            Some(line) => match line.strip_prefix("ok ") {
                Some(text) => Ok(text.to_string()),
                None => Err(JobError::BadReply(line)),
            },
            None => {
                *slot = None;
                Err(JobError::WorkerCrashed)
            }
        };
        results.push(result);
    }
    results
}

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn start(exe: &Path) -> io::Result<Worker> {
        let mut child = Command::new(exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Ok(Worker {
            child,
            stdin,
            stdout,
        })
    }

    fn ask(&mut self, job: &str) -> Option<String> {
        writeln!(self.stdin.as_mut()?, "{job}").ok()?;
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(n) if n > 0 && line.ends_with('\n') => Some(line.trim_end().to_string()),
            _ => None,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
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
