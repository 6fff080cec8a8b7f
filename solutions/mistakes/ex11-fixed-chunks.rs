// Mistake: deals the jobs out up front, one contiguous chunk per worker: a worker stuck on a slow job keeps its other jobs waiting while the other workers run out of work.
// Rejected by: a_slow_job_does_not_hold_up_the_others
// Message contains: queued behind the slow job

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
    if jobs.is_empty() {
        return Vec::new();
    }
    let size = jobs.len().div_ceil(workers.get());
    thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(size)
            .map(|chunk| {
                s.spawn(move || {
                    let mut worker: Option<Worker> = None;
                    let mut done = Vec::new();
                    for job in chunk {
                        if worker.is_none() {
                            worker = Worker::start(worker_exe).ok();
                        }
                        done.push(match worker.as_mut().and_then(|w| w.ask(job)) {
                            Some(line) => match line.strip_prefix("ok ") {
                                Some(text) => Ok(text.to_string()),
                                None => Err(JobError::BadReply(line)),
                            },
                            None => {
                                worker = None;
                                Err(JobError::WorkerCrashed)
                            }
                        });
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
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
