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
use std::num::NonZeroUsize;
use std::path::Path;

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
    let _ = (worker_exe, workers, jobs);
    todo!("one thread per worker process: send it the next job and read the answer until no job is left; then close its stdin and wait for it")
}

/// Counts how many times each byte value occurs in `data`, on `threads`
/// threads that share one array of 256 atomic counters: `counts[b]` is the
/// number of bytes equal to `b`.
pub fn histogram(data: &[u8], threads: NonZeroUsize) -> [u64; 256] {
    let _ = (data, threads);
    todo!("split data into `threads` parts; every thread does counts[byte].fetch_add(1, Relaxed) for each byte of its part")
}
