//! # Exercise 10: bounded concurrency
//!
//! A crawler with 10 000 URLs must not send 10 000 requests at once: the
//! server would throttle or ban it, and the machine would run out of sockets.
//! In Python you put an `asyncio.Semaphore(3)` around the request, and at most
//! three coroutines are inside the `async with` at any moment:
//!
//! ```python
//! limit = asyncio.Semaphore(3)
//!
//! async def polite_fetch(url):
//!     async with limit:               # wait for a free slot...
//!         return await fetch(url)     # ...and give it back when done
//!
//! pages = await asyncio.gather(*(polite_fetch(u) for u in urls))
//! ```
//!
//! The limit is a **sliding window**, not batches: the moment one request
//! finishes, the next one starts. Cutting the list into groups of three and
//! awaiting each group is slower: the whole group waits for its slowest member.
//!
//! Rust has the same two tools, and one more:
//! - **A stream of futures with a window**: `futures::stream::iter(inputs)`
//!   turns the inputs into a stream, `.map(job)` into a stream of futures, and
//!   [`buffer_unordered(k)`](futures::StreamExt::buffer_unordered) polls at
//!   most `k` of them at a time, pulling the next input as soon as one finishes.
//!   It yields the outputs **as they finish**, so carry each input's index
//!   along (`.enumerate()`) and put every output into its slot.
//! - **A semaphore**: [`Semaphore`] (`tokio::sync`) holds `k` permits.
//!   `sem.acquire().await` waits for one and gives you a permit; the slot is
//!   free again when that permit is **dropped**. On an `Arc<Semaphore>`,
//!   [`acquire_owned`](Semaphore::acquire_owned) gives a permit that owns its
//!   `Arc`, so it can move into a spawned task and be dropped when the task
//!   ends. Shared through an `Arc`, one semaphore can limit several callers
//!   at once: a crawler's global limit.
//!
//! ## Your task
//! 1. [`run_bounded`]: run `job(input)` for every input, with at most `limit`
//!    jobs in flight at any moment, and start the next one as soon as one
//!    finishes. Return the outputs **in the order of `inputs`**. Ten jobs of
//!    1 s with a limit of 3 take 4 s; jobs of 5 s, 1 s, 1 s, 1 s and 1 s with a
//!    limit of 2 take 5 s (the four short ones share the second slot).
//! 2. [`spawn_bounded`]: the same, but every job runs in a task of its own
//!    (`tokio::spawn` or a `tokio::task::JoinSet`), and the limit is the
//!    `limiter` you are given: a job may only run while it holds one of its
//!    permits. Other callers may use the same limiter at the same time, and
//!    together they never run more jobs than it has permits. When you return,
//!    every permit you took is back. If a job panics, `spawn_bounded` panics
//!    with that job's own panic, as if it had run the job itself:
//!    [`std::panic::resume_unwind`] with the payload of the task's
//!    `JoinError` ([`into_panic`](tokio::task::JoinError::into_panic)).
//!
//! The tests pass their own `job`: it notes how many jobs are in flight, when
//! each one starts, and in which task it runs. They run on tokio's paused
//! clock, so "5 s" is exact and costs no real time.
//!
//! ## Useful tools
//! - `use futures::StreamExt;` brings `map`, `buffer_unordered`, `next` and
//!   `collect` to streams. `limit.get()` is the `usize` inside the
//!   `NonZeroUsize`.
//! - `let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();` then
//!   `slots[i] = Some(output)` keeps the input order whatever the finishing
//!   order.
//! - `Arc::clone(&limiter).acquire_owned().await` gives an
//!   [`OwnedSemaphorePermit`](tokio::sync::OwnedSemaphorePermit); `acquire`
//!   only fails on a closed semaphore, so `.expect("...")` is fine here.
//! - `tokio::task::JoinSet`: `spawn` tasks, then `join_next().await` gives
//!   their results as they finish (another reason to carry indices).
//!
//! ## Watch out
//! - **`buffered(k)` is not `buffer_unordered(k)`.** `buffered` yields the
//!   outputs in input order, which looks handy, but an output that is ready
//!   waits in the window until every job before it is done, and still counts
//!   towards `k`. One slow job at the front then stalls the whole window: with
//!   a limit of 2, jobs of 5 s, 1 s, 1 s, 1 s, 1 s take 7 s with `buffered`,
//!   5 s with `buffer_unordered`.
//! - **`let _ = sem.acquire().await;` does not hold the permit.** `_` is not
//!   a variable: nothing binds the permit, so it is dropped at the end of that
//!   statement and the slot is free again before the job even starts. Nothing
//!   is limited, and nothing warns you. Give it a name that lives as long as
//!   the job, `let _permit = ...;` (a leading underscore silences the "unused"
//!   warning but still binds), or move it into the task that runs the job.
//!
//! Run `cargo test -p ex10` to check your work.

use std::future::Future;
use std::num::NonZeroUsize;
use std::panic;
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

/// Runs `job(input)` for every input, with at most `limit` jobs in flight at
/// any moment, starting the next one as soon as one finishes (a sliding
/// window, not batches).
///
/// Returns the outputs in the order of `inputs`.
pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let n = inputs.len();
    // A stream of futures, each tagged with its input's index. Nothing runs
    // yet: `map` calls `job` only when `buffer_unordered` pulls the next input,
    // which it does whenever fewer than `limit` futures are in flight. So a
    // finished job is replaced at once: a sliding window.
    //
    // Not `buffered(limit)`: it yields in input order, but a finished output
    // keeps its place in the window until every job before it is done, so one
    // slow job at the front stalls everything behind it.
    let outputs = futures::stream::iter(inputs.into_iter().enumerate())
        .map(|(i, input)| job(input).map(move |output| (i, output)))
        .buffer_unordered(limit.get());
    // The outputs arrive in the order the jobs finish, each with its index.
    in_input_order(n, outputs.collect().await)
}

/// Runs `job(input)` for every input, each job in a spawned task, with at
/// most as many jobs in flight as `limiter` has permits: a job runs only while
/// it holds one of them. Several callers may share one `limiter`.
///
/// Returns the outputs in the order of `inputs`, once every job has finished
/// and given its permit back.
pub async fn spawn_bounded<I, T, F, Fut>(inputs: Vec<I>, limiter: Arc<Semaphore>, job: F) -> Vec<T>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let n = inputs.len();
    // A JoinSet rather than loose `JoinHandle`s: if this future is dropped
    // half-way (a timeout, a `select!`), the set aborts its tasks, and each
    // aborted task drops its permit. Nothing keeps running unowned.
    let mut tasks = JoinSet::new();
    for (i, input) in inputs.into_iter().enumerate() {
        // Wait for a free slot *before* spawning: at most as many tasks exist
        // as there are permits, however long the input list is.
        let permit = take_slot(&limiter).await;
        tasks.spawn(job_task(i, job(input), permit));
    }
    in_input_order(n, join_tasks(tasks).await)
}

/// Waits until `limiter` has a free slot, and takes it. The permit is owned
/// (it holds its own `Arc` to the semaphore), so it can move into a task.
async fn take_slot(limiter: &Arc<Semaphore>) -> OwnedSemaphorePermit {
    Arc::clone(limiter)
        .acquire_owned()
        .await
        .expect("the limiter is never closed")
}

/// One job's task: runs the job while it holds `permit`, and hands back its
/// output with its input's index `i`.
async fn job_task<T>(
    i: usize,
    work: impl Future<Output = T>,
    permit: OwnedSemaphorePermit,
) -> (usize, T) {
    let output = work.await;
    // The slot is free again the moment the job is done, not when
    // `spawn_bounded` returns. (Moving `permit` into the task is what holds
    // it: `let _ = ...` would have dropped it at once.)
    drop(permit);
    (i, output)
}

/// Waits for every task and hands back their outputs, in the order they
/// finish.
async fn join_tasks<T: 'static>(mut tasks: JoinSet<T>) -> Vec<T> {
    let mut done = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(output) => done.push(output),
            // A job panicked: pass its panic on to our caller unchanged.
            // (It cannot be a cancellation: the set is ours, and nothing
            // aborts its tasks while we wait for them.)
            Err(e) => panic::resume_unwind(e.into_panic()),
        }
    }
    done
}

/// Puts each output into its input's slot, so the outputs keep the order of
/// the inputs whatever order the jobs finished in.
fn in_input_order<T>(n: usize, done: Vec<(usize, T)>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for (i, output) in done {
        slots[i] = Some(output);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("one output per input"))
        .collect()
}
