//! # Exercise 11: worker processes
//!
//! In Python, threads cannot run Python code in parallel (the GIL), so CPU
//! work goes to other *processes*: `multiprocessing.Process` starts another
//! Python, a `Queue` carries jobs to it and results back, and since every
//! process has memory of its own, a worker that crashes takes down only
//! itself. The little state that must be shared goes into
//! `multiprocessing.Value` or `Array`: numbers in shared memory.
//!
//! Rust threads do run in parallel, so in Rust you start a process for the
//! other reasons: to run another program, or to keep its crashes out of your
//! own process. [`std::process::Command`] starts a child process, and with
//! [`Stdio::piped()`](std::process::Stdio::piped) you get pipes to its stdin
//! and from its stdout: write a line into one, read a line from the other.
//! That pair of pipes is your `Queue`.
//!
//! This crate comes with a small worker program, `src/bin/worker.rs`
//! (provided: do not change it). It reads one job per line on its stdin and
//! answers every job with one line on its stdout:
//! - `27` → `ok 4242 collatz(27)=111` (4242 is the worker's process id);
//! - `crash` → no answer: the worker dies on the spot;
//! - `cut 27` → `ok 4242 collatz(27)=11`, cut short without its line end:
//!   the worker dies in the middle of its answer;
//! - a job it does not know → `error: unknown job "..."`;
//! - `meet N DIR` is for the tests: it shows them which jobs run at the same time.
//!
//! It exits when its stdin is closed. The tests give you its path: start it
//! with `Command::new(worker_exe)`.
//!
//! ## Your task
//! 1. [`run_jobs`]: start at most `workers` worker processes (never more
//!    than there are jobs) and hand out the jobs one at a time, so that a
//!    free worker takes the next one. Return one result per job, **in job
//!    order**:
//!    - the answer `ok <result>` gives `Ok(<result>)`, the text after `ok `;
//!    - any other answer gives `Err(JobError::BadReply(line))`;
//!    - no answer, because the worker died, gives `Err(JobError::WorkerCrashed)`,
//!      and only that job is lost: start a fresh worker for the jobs still to do.
//!      A line cut short (no `\n` at its end: the worker died while writing
//!      it) is no answer either.
//!
//!    Before returning, close every worker's stdin and **wait** for every
//!    child process, the crashed ones too: an exited child that nobody waits
//!    for stays behind as a *zombie*.
//! 2. [`histogram`]: count how often each byte value occurs in `data`, on
//!    `threads` threads that share one array of 256 atomic counters (Rust's
//!    `multiprocessing.Array`, and no lock needed).
//!
//! ## Useful tools
//! - `Command::new(exe).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()`
//!   gives a [`std::process::Child`]; `child.stdin.take()` and
//!   `child.stdout.take()` move the two pipe ends out of it.
//! - `writeln!(stdin, "{job}")` sends a job ([`std::io::Write`]);
//!   [`BufReader::new(stdout)`](std::io::BufReader) and `read_line(&mut line)`
//!   read the answer. `Ok(0)` means end of file: the worker is gone; a line
//!   that does not end with `'\n'` was cut short by the worker's death.
//! - `drop(stdin)` closes the pipe, so the worker sees end of file and exits;
//!   then `child.wait()` collects its exit status and frees its entry in the
//!   process table.
//! - One thread per worker in [`std::thread::scope`], each taking the next
//!   job index from a shared `AtomicUsize` (as in exercise 4).
//! - [`AtomicU64::fetch_add`](std::sync::atomic::AtomicU64::fetch_add)`(1, Ordering::Relaxed)`
//!   adds one in a single indivisible step;
//!   `std::array::from_fn(|_| AtomicU64::new(0))` builds the array, and
//!   `counts.map(AtomicU64::into_inner)` turns it into plain numbers at the end.
//! - `data.chunks(part)` cuts `data` into parts of `part` bytes (the last one
//!   may be shorter); `part` must not be 0.
//!
//! ## Watch out
//! - Close a worker's stdin *before* you wait for it. The worker waits for
//!   its next job until its stdin closes, so `child.wait()` with the stdin
//!   still open waits forever.
//! - A job you write into a [`BufWriter`](std::io::BufWriter) stays in your
//!   process until the buffer fills or you `flush()` it: the worker waits for
//!   the job while you wait for its answer. Flush after every job, or write
//!   to the `ChildStdin` directly.
//! - A crash is an ordinary event here: reading from a dead worker gives end
//!   of file, and writing to it can fail with `BrokenPipe`. Don't `unwrap`
//!   the pipes.
//! - `load` then `store` is two steps: another thread can count in between,
//!   and its count is lost. Use `fetch_add`.
//!
//! Run `cargo test -p ex11` to check your work. (On Windows, the tests
//! cannot see whether a process was waited for, nor what a stuck worker was
//! doing: the zombie check is skipped, and the output says so.)

use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::panic;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread;

/// Why a job has no result. (Provided: you do not need to change it.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// The worker died before it answered this job: its stdout ended, or
    /// sending it the job failed. A worker that cannot even be started counts
    /// as crashed too.
    WorkerCrashed,
    /// The worker answered, but not with `ok ...`: the whole line it sent,
    /// without the line end.
    BadReply(String),
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::WorkerCrashed => write!(f, "the worker died before it answered"),
            JobError::BadReply(line) => write!(f, "the worker answered {line:?}"),
        }
    }
}

impl std::error::Error for JobError {}

/// Runs every job on at most `workers` child processes of `worker_exe` and
/// returns one result per job, in the order of `jobs`.
///
/// Each job is one line. A free worker takes the next job, so every worker
/// stays busy while jobs are left. A worker that dies loses only the job it
/// was running (`Err(JobError::WorkerCrashed)`); the jobs after it still get
/// done. Every child process has been waited for when this returns.
pub fn run_jobs(
    worker_exe: &Path,
    workers: NonZeroUsize,
    jobs: &[String],
) -> Vec<Result<String, JobError>> {
    // One thread per worker process, and never more workers than jobs: each
    // thread starts its worker when it takes its first job, so no job, no
    // process.
    let threads = workers.get().min(jobs.len());
    // The work queue: the index of the next job nobody has taken yet
    // (`fetch_add` gives each index to exactly one thread).
    let next = AtomicUsize::new(0);

    let mut results: Vec<Option<Result<String, JobError>>> = vec![None; jobs.len()];
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| serve(worker_exe, jobs, &next)))
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(done) => {
                    for (i, result) in done {
                        results[i] = Some(result);
                    }
                }
                Err(payload) => panic::resume_unwind(payload),
            }
        }
    });
    results
        .into_iter()
        .map(|slot| slot.expect("every job was taken by exactly one thread"))
        .collect()
}

/// One thread's work: takes the next job until none is left, runs each on
/// this thread's worker process, and returns `(job index, result)` pairs.
fn serve(
    worker_exe: &Path,
    jobs: &[String],
    next: &AtomicUsize,
) -> Vec<(usize, Result<String, JobError>)> {
    let mut done = Vec::new();
    // This thread's worker process: none until the first job.
    let mut worker: Option<Worker> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        done.push((i, run_job(worker_exe, &mut worker, job)));
    }
    done
    // `worker` is dropped here: its stdin closes, the worker exits, and the
    // drop waits for it.
}

/// Runs `job` on `worker`, and starts the worker first if there is none.
/// When the worker dies, only this job is lost: the dead worker is dropped,
/// and the next job starts a fresh one.
fn run_job(worker_exe: &Path, worker: &mut Option<Worker>, job: &str) -> Result<String, JobError> {
    // Start a worker for the first job, and a fresh one after a crash:
    // starting one only when there is a job to do means no process is
    // started for nothing.
    if worker.is_none() {
        *worker = Worker::start(worker_exe).ok();
    }
    match worker.as_mut().and_then(|w| w.ask(job)) {
        Some(line) => result_of(line),
        None => {
            // Dropping the dead worker waits for it (see `Drop for
            // Worker`): no zombie.
            *worker = None;
            Err(JobError::WorkerCrashed)
        }
    }
}

/// What an answer line means: `ok <result>` is `Ok(<result>)`, any other
/// line is a bad reply.
fn result_of(line: String) -> Result<String, JobError> {
    match line.strip_prefix("ok ") {
        Some(result) => Ok(result.to_string()),
        None => Err(JobError::BadReply(line)),
    }
}

/// One worker process and the pipes to it. Dropping it stops the worker:
/// stdin closes, then the child is waited for.
struct Worker {
    child: Child,
    /// An `Option` so that `drop` can close it before waiting.
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
        let stdout = child.stdout.take().expect("stdout was piped");
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    /// Sends one job and reads its answer, without the line end. `None`: the
    /// worker is gone (writing failed, or its stdout ended before a whole line).
    fn ask(&mut self, job: &str) -> Option<String> {
        let stdin = self.stdin.as_mut()?;
        // One `write_all` per job: the pipe is not buffered, so this is one
        // write, and the worker gets the whole line at once. An error here is
        // `BrokenPipe`: the worker has already died.
        stdin.write_all(format!("{job}\n").as_bytes()).ok()?;
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            // Ok(0) is end of file: the worker died before answering. A line
            // without its '\n' means it died in the middle of answering.
            Ok(n) if n > 0 && line.ends_with('\n') => {
                Some(line.trim_end_matches(['\n', '\r']).to_string())
            }
            _ => None,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin is the worker's signal to finish: it exits at end of
        // file. Waiting first, with stdin still open, would wait forever.
        drop(self.stdin.take());
        // Collect the exit status, crashed or not: until then the exited
        // process stays in the process table as a zombie.
        let _ = self.child.wait();
    }
}

/// Counts how many times each byte value occurs in `data`, on `threads`
/// threads that share one array of 256 atomic counters: `counts[b]` is the
/// number of bytes equal to `b`.
pub fn histogram(data: &[u8], threads: NonZeroUsize) -> [u64; 256] {
    // The shared array, like `multiprocessing.Array`, but without a lock:
    // every counter is atomic, so a `&[AtomicU64; 256]` can be shared by all
    // the threads and each increment is one indivisible step.
    let counts: [AtomicU64; 256] = std::array::from_fn(|_| AtomicU64::new(0));
    // Round up, so the last bytes are not left over; and at least 1, because
    // `chunks(0)` panics (no data, or more threads than bytes).
    let part = data.len().div_ceil(threads.get()).max(1);
    thread::scope(|scope| {
        for chunk in data.chunks(part) {
            let counts = &counts;
            scope.spawn(move || count_bytes(chunk, counts));
        }
    });
    counts.map(AtomicU64::into_inner)
}

/// One thread's work: counts the bytes of `chunk` into the shared `counts`.
fn count_bytes(chunk: &[u8], counts: &[AtomicU64; 256]) {
    for &byte in chunk {
        // `Relaxed`: the counts only need to add up; the scope's end makes
        // every thread's increments visible to `histogram`.
        counts[usize::from(byte)].fetch_add(1, Ordering::Relaxed);
    }
    // (Counting into a local `[u64; 256]` and adding it to `counts` at the
    // end would touch the shared counters 256 times instead of once per
    // byte: faster, but this exercise is about sharing.)
}
