//! # Exercise 8: blocking work inside async
//!
//! In Python, an event loop runs every coroutine on one thread, taking turns
//! at each `await`. A coroutine that calls `time.sleep(1)`, reads a big file
//! with plain `open()`, or crunches numbers for a second never reaches an
//! `await`, so for that whole second **nothing else runs**: no other request
//! is served, no timer fires. The cure is to hand the blocking call to a
//! thread and await the result: `await asyncio.to_thread(read_file, path)`,
//! or `await loop.run_in_executor(None, read_file, path)`.
//!
//! Rust's async runtimes work the same way. Tokio polls tasks on a few threads
//! (on a *current-thread* runtime, on exactly one: the default of
//! `#[tokio::test]`), and a task gives its thread back only at an `.await`.
//! A blocking call inside an `async fn` keeps that thread, and every task
//! waiting for it stays frozen. Tokio's `to_thread` is
//! [`tokio::task::spawn_blocking`]: it runs a closure on a separate pool of
//! threads meant for blocking (up to 512 of them) and gives back a
//! [`tokio::task::JoinHandle`] to `.await`. The handle resolves to
//! `Ok(value)`, or to `Err(JoinError)` if the closure panicked: the panic is
//! caught and kept, like an exception stored in a Python future.
//!
//! ## Your task
//! 1. [`run_blocking_all`]: run `work(input)` for every input on tokio's
//!    blocking threads, **all at once** (with n inputs, all n jobs running
//!    together: a window of k jobs in flight is not enough), while the
//!    runtime keeps running its other tasks. Return one result per input,
//!    **in the order of `inputs`**.
//!    A job that panics gives `Err(JobPanicked { index })` in its own slot
//!    (`index` is its position in `inputs`); the other jobs still finish and
//!    give `Ok(value)`. No inputs: an empty `Vec`.
//! 2. [`count_lines`]: count the lines of a file with the blocking `std::fs`
//!    API, without freezing the runtime. Count as `str::lines` does: a last
//!    line without `'\n'` counts too, and an empty file has 0 lines. An error
//!    (say, `io::ErrorKind::NotFound`) is returned as it is.
//!
//! The tests run your code on a current-thread runtime, next to a small
//! *heartbeat* task of their own. The `work` they pass blocks its thread until
//! that heartbeat answers: if `work` ran on the runtime's thread, or if the
//! runtime's thread sat waiting for it, the heartbeat could never answer.
//! Then it waits until every job is running. `count_lines` gets a named pipe
//! (on unix; elsewhere that check is skipped): opening it waits until the
//! grader opens the other end, and its last lines arrive later, each only
//! once the heartbeat has answered, so opening and reading must both happen
//! off the runtime's thread.
//!
//! ## Useful tools
//! - `tokio::task::spawn_blocking(move || work(input))` starts a job at once
//!   and returns its `JoinHandle<R>`; `handle.await` is a
//!   `Result<R, JoinError>`, and `JoinError::is_panic()` tells a panic.
//! - The closure must be `'static`: move owned values into it. To share
//!   `work` between jobs, put it in an [`std::sync::Arc`] and clone the
//!   `Arc` for each job.
//! - Start every job before awaiting any: collect the handles into a `Vec`
//!   first, then await them in order (`for handle in handles`, or
//!   `futures::future::join_all(handles)`). Iterators are lazy:
//!   `inputs.into_iter().map(spawn)` starts nothing until something pulls
//!   from it.
//! - `tokio::fs` does exactly this for files: each of its functions is a
//!   `spawn_blocking` around `std::fs` (its `fs` feature is not enabled in
//!   this course, so write the `spawn_blocking` yourself). And
//!   `tokio::task::spawn_blocking(..).await?` turns a `JoinError` into an
//!   `io::Error`.
//!
//! ## Watch out
//! - Waiting for a thread is blocking too: `std::thread::spawn(..).join()`,
//!   a `std::sync::mpsc` `recv()` or `futures::executor::block_on` inside an
//!   `async fn` freeze the runtime just like the blocking call itself.
//! - `tokio::task::block_in_place` only works on a multi-thread runtime; on a
//!   current-thread one it panics. `spawn_blocking` works on both.
//! - `spawn_blocking` is for waiting (files, sleeps, blocking libraries) and
//!   for the odd heavy computation. For lots of CPU work, use rayon
//!   (exercise 5) and send the answer back over a `tokio::sync::oneshot`.
//!
//! Run `cargo test -p ex08` to check your work.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A job whose `work` panicked: `index` is its position in `inputs`.
///
/// Provided: you do not need to change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPanicked {
    /// The position of the job's input in `inputs`.
    pub index: usize,
}

impl fmt::Display for JobPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {} panicked", self.index)
    }
}

impl std::error::Error for JobPanicked {}

/// Runs the blocking function `work` on each input without freezing the
/// async runtime: every job runs on tokio's blocking threads, all of them at
/// once, while the runtime's other tasks keep running.
///
/// Returns one result per input, in the order of `inputs`: `Ok(value)`, or
/// `Err(JobPanicked { index })` for a job that panicked (the other jobs still
/// complete).
pub async fn run_blocking_all<T, R, F>(inputs: Vec<T>, work: F) -> Vec<Result<R, JobPanicked>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let _ = (inputs, work);
    todo!("spawn_blocking every job, then await the JoinHandles in input order")
}

/// Counts the lines of the file at `path` (as `str::lines` counts them),
/// reading it with blocking `std::fs` calls off the runtime's threads.
///
/// An error opening or reading the file is returned as it is.
pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    let _ = path;
    todo!("read and count inside tokio::task::spawn_blocking, then await it")
}
