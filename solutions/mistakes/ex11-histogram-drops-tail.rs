// Mistake: gives every thread `data.len() / threads` bytes: the division rounds down, and the last few bytes are never counted.
// Rejected by: histogram_counts_every_byte
// Message contains: never counted

use std::io::{self, BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
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
    let results: Mutex<Vec<Option<Result<String, JobError>>>> = Mutex::new(vec![None; jobs.len()]);
    thread::scope(|s| {
        for _ in 0..workers.get().min(jobs.len()) {
            s.spawn(|| {
                let mut worker: Option<Worker> = None;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    if worker.is_none() {
                        worker = Worker::start(worker_exe).ok();
                    }
                    let result = match worker.as_mut().and_then(|w| w.ask(job)) {
                        Some(line) => match line.strip_prefix("ok ") {
                            Some(text) => Ok(text.to_string()),
                            None => Err(JobError::BadReply(line)),
                        },
                        None => {
                            worker = None;
                            Err(JobError::WorkerCrashed)
                        }
                    };
                    results.lock().unwrap()[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
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
    let part = data.len() / threads.get();
    thread::scope(|s| {
        for t in 0..threads.get() {
            let counts = &counts;
            let mine = &data[t * part..(t + 1) * part];
            s.spawn(move || {
                for &b in mine {
                    counts[b as usize].fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    counts.map(AtomicU64::into_inner)
}
