// Mistake: as_completed enumerates the stream of results instead of the jobs, so the index counts the results in completion order instead of naming each result's job.
// Rejected by: each_output_comes_with_its_jobs_index
// Message contains: the index counts the results in the order they came out

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::stream::{self, FuturesUnordered, StreamExt};
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
    jobs.into_iter()
        .collect::<FuturesUnordered<_>>()
        .enumerate()
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
    // The state between two items: the fetch function, what is left of the
    // current page, and the page to fetch once that is used up (`None`: there
    // is none, the stream ends there).
    let start = (fetch, Vec::new().into_iter(), Some(FIRST_PAGE));
    // `unfold` runs the step only when the consumer asks for the next item,
    // so a page is fetched only once the previous one is used up, and only
    // one fetch can ever be in flight.
    stream::unfold(start, |(mut fetch, mut rest, mut next)| async move {
        loop {
            if let Some(item) = rest.next() {
                return Some((Ok(item), (fetch, rest, next)));
            }
            // The page is used up: fetch the next one, or end the stream.
            let number = next?;
            match fetch(number).await {
                Ok(page) => {
                    // An empty page is not the end: loop on to its `next`.
                    rest = page.items.into_iter();
                    next = page.next;
                }
                // Yield the error; with `next` = None the stream ends after it.
                Err(error) => return Some((Err(error), (fetch, rest, None))),
            }
        }
    })
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
    let mut checkout = Checkout {
        pool,
        conn: Some(pool.acquire().await),
    };
    let conn = checkout
        .conn
        .as_mut()
        .expect("the connection stays in the guard until it is dropped");
    f(conn).await
    // `checkout` is dropped here, after `f` is done, whatever `f` returned. If
    // `f` panics, or this future is dropped while it waits in `f(conn).await`,
    // `checkout` is dropped there instead: the connection goes back either way.
}

/// Holds a checked-out connection and gives it back to its pool when dropped:
/// Rust's `async with`. A destructor runs on every way out of a scope (return,
/// `?`, panic) and when a suspended future is dropped, which is how async
/// code is cancelled. It cannot `.await`, hence a synchronous `release`.
struct Checkout<'a> {
    pool: &'a Pool,
    /// `Some` until `drop` takes it out: `release` needs the connection by value.
    conn: Option<Connection>,
}

impl Drop for Checkout<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.release(conn);
        }
    }
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
