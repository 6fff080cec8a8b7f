//! # Exercise 9: as completed, streams and async resources
//!
//! Three Python idioms, and what they become in Rust.
//!
//! **`asyncio.as_completed(jobs)`** hands you the results in the order the jobs
//! *finish*, not the order you listed them: the quickest answer first, so you
//! can act on it while the slow ones are still running.
//!
//! **`async for item in paged(fetch)`** walks an *async generator*: a function
//! that `await`s a page from a paginated API, `yield`s its items one by one, and
//! fetches the next page only when the loop asks for more.
//!
//! **`async with pool.connection() as conn:`** hands back the connection when
//! the block ends, on every path: normal end, exception, and cancellation
//! (`CancelledError` is raised inside the block, so `__aexit__` still runs).
//!
//! In Rust, the async iterator is a **`Stream`** (the `futures` crate): you
//! consume one with `while let Some(item) = stream.next().await`. Stable Rust
//! has no `yield` in async code, so you build streams from ready-made pieces.
//! And Rust has no `async with` and no async destructor: when a future is
//! cancelled, it is simply **dropped**, and no more of its code runs: not the
//! line after the `.await` it was waiting at, nor any `finally`. What *does*
//! run, on every path (return, `?`, panic, drop), is `Drop`: so a resource is
//! given back by the `Drop` of a small guard value (RAII), and giving it back
//! must be synchronous, because `drop` cannot `.await`.
//!
//! ## Your task
//! 1. [`as_completed`]: run every job at once and yield `(index, output)` as
//!    each one finishes. `index` is the job's position in `jobs`. Jobs of 3 s,
//!    1 s and 2 s yield index 1 at 1 s, index 2 at 2 s and index 0 at 3 s.
//! 2. [`paged`]: turn a page-by-page API into a stream of items: every item of
//!    every page, in order, starting with page [`FIRST_PAGE`] and following each
//!    page's `next` until a page says `next: None`. **Lazily**: fetch a page only
//!    when the consumer asks for an item and the previous page is used up (a
//!    consumer that takes 3 items of a 3-item page never causes page 2 to be
//!    fetched), so at most one fetch runs at a time. A failed fetch is yielded
//!    once, as `Err`, and ends the stream.
//! 3. [`with_connection`]: Python's `async with`. Check a connection out of a
//!    [`Pool`] (waiting while all are out), run `f` with it, return what `f`
//!    returns, and **always** give the connection back: after `Ok`, after `Err`,
//!    when `f` panics, and when the `with_connection` future itself is dropped
//!    half-way (by a timeout or a `select!`). [`Pool`] and [`Connection`] are
//!    provided; giving the connection back is your job.
//!
//! ## Useful tools
//! - `futures::StreamExt` gives streams `next()`, `map`, `then`, `take`,
//!   `collect`...; `std::pin::pin!(stream)` lets you call `next()` on a stream
//!   that is not `Unpin`.
//! - `futures::stream::FuturesUnordered`: a set of futures polled together; as
//!   a stream it yields each output as soon as that future finishes. `collect()`
//!   an iterator of futures into one.
//! - `futures::stream::unfold(state, |state| async move { ... })`: a stream
//!   from a state and an async step that returns `Some((item, new_state))`, or
//!   `None` to end. The step runs only when the consumer asks for an item:
//!   laziness for free. Keep the rest of the current page in the state (a
//!   `std::vec::IntoIter<T>` is handy), and the page to fetch next.
//!   (`futures::stream::try_unfold` is its twin for fallible steps: an `Err`
//!   from the step is yielded once and ends the stream.)
//! - A guard: `struct Checkout<'a> { pool: &'a Pool, conn: Option<Connection> }`
//!   with `impl Drop for Checkout<'_>` that calls [`Pool::release`].
//!   `Option::take` moves the connection out of `&mut self` in `drop`.
//! - Calling `f`: `f(&mut conn).await`. To pass a closure, write an async
//!   closure: `with_connection(&pool, async |conn| { ... Ok(x) }).await`.
//!
//! ## Watch out
//! - `join_all` then yield is not "as completed": nothing comes out before the
//!   slowest job is done. And the index names the job, so number the jobs
//!   before they race, not the results as they come out.
//! - `pool.release(conn)` on the line after `f(&mut conn).await` never runs if
//!   the future is dropped at that `.await`, nor after a `?` that returns early.
//!
//! Run `cargo test -p ex09` to check your work. The tests use tokio's paused
//! clock, so a "5 s" job costs microseconds of real time.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::Stream;
use tokio::sync::Semaphore;

/// Runs every job at once and yields `(index, output)` as each one finishes:
/// completion order, not input order. `index` is the job's position in `jobs`.
///
/// Nothing runs before the stream is first polled; from then on, all the jobs
/// make progress together. An empty `jobs` gives a stream that ends at once.
pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    let _ = jobs;
    // A placeholder stream that stops at the todo!() when first polled: replace it.
    futures::stream::poll_fn(|_| todo!("FuturesUnordered of (index, output) futures"))
}

/// The number of the first page of every paged API (provided).
pub const FIRST_PAGE: u32 = 1;

/// One page of results from a paged API, like the JSON of a paginated REST
/// endpoint (provided, do not change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page, in order. May be empty.
    pub items: Vec<T>,
    /// The number of the page that comes after this one, `None` on the last page.
    pub next: Option<u32>,
}

/// Yields every item of every page in order, as `Ok(item)`.
///
/// Fetches page [`FIRST_PAGE`] first, then the page each page names as
/// `next`, and ends after the page whose `next` is `None`. A page is fetched
/// only when the consumer asks for an item and the previous page is used up,
/// so at most one fetch runs at a time. A failed fetch is yielded once as
/// `Err(error)` and ends the stream.
pub fn paged<T, E, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    let _ = fetch;
    // A placeholder stream that stops at the todo!() when first polled: replace it.
    futures::stream::poll_fn(|_| todo!("stream::unfold over (fetch, rest of the page, next page)"))
}

/// Checks a connection out of `pool` (waiting while all are out), runs `f`
/// with it and returns what `f` returns.
///
/// The connection always goes back to the pool: when `f` returns `Ok` or
/// `Err`, when `f` panics, and when this future is dropped before it is done
/// (cancelled by a timeout or a `select!`).
pub async fn with_connection<T, E, F>(pool: &Pool, f: F) -> Result<T, E>
where
    F: AsyncFnOnce(&mut Connection) -> Result<T, E>,
{
    let _ = (pool, f);
    todo!("acquire, keep the connection in a guard whose Drop releases it, run f")
}

// ---------------------------------------------------------------------------
// Provided, do not change: the pool of connections.

/// A pool of connections to a pretend database (provided, do not change).
///
/// [`Pool::acquire`] checks a connection out, waiting while all are out;
/// [`Pool::release`] gives it back. A [`Connection`] has no `Drop` of its own:
/// one that is dropped instead of released is lost to the pool for good, and
/// the pool has one connection fewer to share.
pub struct Pool {
    size: usize,
    /// The connections that are in the pool now.
    free: Mutex<VecDeque<Connection>>,
    /// One permit per free connection.
    permits: Semaphore,
}

impl Pool {
    /// A pool of `size` connections, numbered `0..size`.
    pub fn new(size: usize) -> Pool {
        Pool {
            size,
            free: Mutex::new((0..size).map(|id| Connection { id }).collect()),
            permits: Semaphore::new(size),
        }
    }

    /// How many connections the pool has in all.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How many connections are checked out right now (not yet released).
    pub fn checked_out(&self) -> usize {
        self.size.saturating_sub(self.free().len())
    }

    /// Checks a connection out, waiting (without blocking the thread) while
    /// all of them are out. Waiters are served first come, first served.
    ///
    /// Cancel-safe: dropping this future while it waits takes nothing from
    /// the pool.
    pub async fn acquire(&self) -> Connection {
        let permit = self
            .permits
            .acquire()
            .await
            .expect("the pool's semaphore is never closed");
        // From here to the return there is no `.await`: once the permit is
        // ours, the connection is too, and no cancellation can come between.
        permit.forget();
        self.free()
            .pop_front()
            .expect("a permit always stands for a free connection")
    }

    /// Gives a checked-out connection back to the pool and wakes the next
    /// waiter. Synchronous, so that a `Drop` can call it.
    pub fn release(&self, conn: Connection) {
        self.free().push_back(conn);
        self.permits.add_permits(1);
    }

    fn free(&self) -> MutexGuard<'_, VecDeque<Connection>> {
        self.free.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("size", &self.size)
            .field("checked_out", &self.checked_out())
            .finish()
    }
}

/// A connection checked out of a [`Pool`] (provided, do not change).
///
/// Only [`Pool::acquire`] makes one, and only [`Pool::release`] puts it back.
#[derive(Debug, PartialEq, Eq)]
pub struct Connection {
    id: usize,
}

impl Connection {
    /// Which of the pool's connections this is (`0..pool.size()`).
    pub fn id(&self) -> usize {
        self.id
    }

    /// Sends a query and waits 100 ms for the reply.
    pub async fn query(&mut self, sql: &str) -> String {
        tokio::time::sleep(Duration::from_millis(100)).await;
        format!("connection {} ran {sql:?}", self.id)
    }
}
