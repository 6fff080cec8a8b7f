//! # Exercise 2: timeouts and a shared deadline
//!
//! In Python, `await asyncio.wait_for(slow_operation(), timeout=2.0)` gives
//! `slow_operation` two seconds: if it is not done by then, `wait_for` cancels it
//! and raises `TimeoutError`, right at the 2 s mark, however long the operation
//! would have taken.
//!
//! In Rust, giving up on a future is even simpler: stop polling it and **drop**
//! it. A future only makes progress while someone polls it, so a dropped future
//! is cancelled on the spot: the rest of its code never runs, and whatever it
//! held (a socket, a lock, a buffer) is released by its destructors. A timeout
//! is therefore a race: poll the operation and a timer side by side, keep the
//! winner's result, drop the loser.
//!
//! ## Your task
//! 1. [`with_timeout`]: Rust's `wait_for`. `Ok(output)` if `op` finishes within
//!    `limit`; otherwise `Err(TimedOut)`, returned **at the limit** (not when `op`
//!    would have finished, nor never if it never finishes), with `op` cancelled.
//! 2. [`all_within`]: run every op **at once** under **one deadline shared by all**.
//!    Return as soon as every op is done or the deadline passes, whichever comes
//!    first: `Some(output)` for each op that finished in time, `None` for the
//!    others, at the op's position. Late ops are cancelled: when `all_within`
//!    returns, every late op has been dropped, so none of them runs another line.
//!
//!    Three ops of 0.8 s with a 1 s deadline all succeed, after 0.8 s. Run one
//!    after another, each with its own 1 s timeout, they would take 2.4 s.
//!    (An op finishing exactly at the deadline may go either way.)
//!
//! ## Useful tools
//! - `tokio::time::timeout(limit, fut).await`: `Ok(output)` or `Err(Elapsed)`;
//!   when the time is up it drops `fut`. [`TimedOut`] is provided: map to it.
//! - `tokio::time::Instant::now() + d` is an instant; `tokio::time::timeout_at(instant, fut)`
//!   races `fut` against that instant, so many futures can share one deadline.
//! - `futures::future::join_all(futures)` (exercise 1) polls them all at once and
//!   gives the outputs in input order; `Result::ok` turns `Result` into `Option`.
//! - `tokio::task::JoinSet` runs ops as spawned tasks. `all_within` asks for
//!   `F: Send + 'static` so that you *may* spawn: a task can move to another
//!   worker thread (`Send`) and outlive the function that spawned it, so it must
//!   not borrow anything (`'static`). Beware: like `asyncio.create_task`, a spawned
//!   task keeps running until it ends or is aborted (dropping its `JoinHandle` does
//!   not stop it), and `abort()` only *requests* cancellation;
//!   `JoinSet::shutdown().await` aborts every task and waits until they are gone.
//!
//! Run `cargo test -p ex02` to check your work. The tests use tokio's paused
//! clock, so a "100 s" deadline costs a few microseconds of real time.

use std::fmt;
use std::future::Future;
use std::time::Duration;

/// The error of an operation that did not finish within its time limit
/// (Python's `TimeoutError`). Provided: nothing to do here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut;

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation did not finish within its time limit")
    }
}

impl std::error::Error for TimedOut {}

/// Awaits `op` for at most `limit`.
///
/// Returns `Ok(output)` if `op` finishes in time. Otherwise returns
/// `Err(TimedOut)` as soon as `limit` has passed, and `op` is cancelled
/// (dropped) by then.
pub async fn with_timeout<F: Future>(op: F, limit: Duration) -> Result<F::Output, TimedOut> {
    // `timeout` polls `op` first, then a timer. If the timer fires first it
    // answers `Err(Elapsed)`; the `Timeout` future, and `op` inside it, is
    // dropped right here, when the `.await` is done with it: that drop is the
    // cancellation, no extra step needed.
    tokio::time::timeout(limit, op)
        .await
        .map_err(|_elapsed| TimedOut)
}

/// Runs all `ops` at once, with one `deadline` (counted from the call) shared
/// by all of them.
///
/// Returns as soon as every op is done or the deadline has passed, whichever
/// comes first: `Some(output)` for each op that finished in time, `None` for
/// the others, in the same order as `ops`. Every late op has been cancelled
/// (dropped) by the time this returns.
pub async fn all_within<T, F>(ops: Vec<F>, deadline: Duration) -> Vec<Option<T>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    // One instant, computed once: every op races against the same moment.
    // (`timeout(deadline, op)` per op would start each clock when that op is
    // first polled; here that is the same moment, but an instant says what we
    // mean and stays right if the ops are ever started one by one.)
    let deadline = tokio::time::Instant::now() + deadline;

    // `join_all` polls every wrapped op at once and keeps the input order.
    // Each wrapper ends when its op ends or at the deadline, whichever is
    // first, so `join_all` ends when the last op is done, or at the deadline.
    // `join_all` drops each wrapper as soon as it completes: a late op is
    // dropped (cancelled) at the deadline, before we return.
    //
    // Why not spawn the ops into a `JoinSet`? The `Send + 'static` bounds
    // allow it, and it pays off when ops do heavy CPU work between awaits:
    // tasks then run in parallel on the runtime's worker threads, while here
    // they share this one task. But it costs bookkeeping: results come back in
    // completion order (send `(index, output)` pairs), and aborted tasks must
    // be waited for (`set.shutdown().await`) to be sure that they are gone.
    // Ops that mostly wait, like these, need none of that.
    let ops = ops
        .into_iter()
        .map(|op| tokio::time::timeout_at(deadline, op));
    futures::future::join_all(ops)
        .await
        .into_iter()
        .map(Result::ok)
        .collect()
}
