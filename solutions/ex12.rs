//! # Exercise 12: cancellation and graceful shutdown
//!
//! A good server does not stop by pulling the plug. When a Python service
//! gets SIGTERM (or Ctrl-C), it stops accepting new requests, gives the ones
//! already running a little time to finish, and only then cancels what is
//! left:
//!
//! ```python
//! stop = asyncio.Event()
//! loop.add_signal_handler(signal.SIGTERM, stop.set)
//! ...                                     # accept requests until stop is set
//! done, pending = await asyncio.wait(running, timeout=GRACE)
//! for task in pending:
//!     task.cancel()                       # CancelledError inside each task
//! await asyncio.gather(*pending, return_exceptions=True)   # wait until they are gone
//! ```
//!
//! The same plan in tokio:
//! - **The stop signal** is a [`CancellationToken`]: `token.cancel()` sets it,
//!   `token.cancelled().await` waits for it. A real server would run
//!   `tokio::signal::ctrl_c().await` in a task and then call `token.cancel()`;
//!   here the tests hold the token and cancel it themselves.
//! - **The running requests** are tasks in a [`JoinSet`]: it spawns them and
//!   hands their results back as they finish.
//! - **`task.cancel()`** is [`JoinSet::abort_all`] (or [`AbortHandle::abort`]
//!   for one task). No exception is raised inside the task: its future is
//!   simply dropped where it waits, at an `.await`, and its destructors (`Drop`)
//!   do the clean-up that Python does in `finally`.
//! - **`asyncio.wait(..., timeout=GRACE)`** is [`tokio::time::timeout`] around
//!   "wait until every task is done".
//!
//! ## Your task
//! Write [`serve`], the heart of a server:
//! 1. Take request ids from `requests` and run `handle(id)` for each one as a
//!    task of its own, so that many requests run at once.
//! 2. When `shutdown` is cancelled: stop taking requests **at once** (requests
//!    still waiting in the channel are never started), give the running ones
//!    **at most `grace`** to finish, then abort the rest and wait until they are
//!    gone. Return as soon as nothing runs any more: when the last request
//!    finishes if that is within the grace period, right away if nothing was
//!    running.
//! 3. If the channel closes first (every `Sender` dropped: no request will ever
//!    come again), let every running request finish, however long it takes,
//!    then return.
//! 4. Return a [`ShutdownReport`]: the ids of the requests that ran to their
//!    end (`completed`) and of those you aborted (`abandoned`), each sorted.
//!    A handler that panics is neither: it is a bug, so don't list it, pass its
//!    panic on (`serve` panics too) so that the bug shows.
//!
//! For example, with `grace` = 2 s and the shutdown at 5 s:
//!
//! | request | arrives | needs | what happens |
//! |---|---|---|---|
//! | 1 | 0 s | 1 s | completes at 1 s |
//! | 2 | 1 s | 5.5 s | completes at 6.5 s, within the grace period |
//! | 3 | 4 s | 10 s | abandoned at 7 s, when the grace period ends |
//! | 4 | 5.5 s | 1 s | never started: it came after the shutdown |
//!
//! `serve` returns at 7 s with `completed: [1, 2]` and `abandoned: [3]`. (A
//! request ending exactly as the grace period ends may go either way.)
//!
//! ## Useful tools
//! - [`tokio::select!`] waits for whichever branch is ready first:
//!   `tokio::select! { biased; _ = shutdown.cancelled() => ..., msg = requests.recv() => ... }`.
//!   `requests.recv()` gives `None` once the channel is closed and empty.
//! - [`JoinSet::spawn`] starts a task and returns its [`AbortHandle`], whose
//!   `.id()` names the task. [`JoinSet::join_next_with_id`] waits for the next
//!   task to end: `Ok((task_id, output))` if it ran to its end, `Err(e)` with
//!   `e.is_cancelled()` and `e.id()` if it was aborted, `Err(e)` with
//!   `e.is_panic()` if it panicked (`std::panic::resume_unwind(e.into_panic())`
//!   passes that panic on). A `HashMap` from task id to request id tells you
//!   which request that was.
//! - `tokio::time::timeout(grace, fut).await` is `Ok(output)` if `fut` finished
//!   in time, `Err(Elapsed)` otherwise (and `fut` is dropped).
//!
//! ## Watch out
//! - Without `biased;`, `select!` tries its branches in random order: when the
//!   shutdown and a queued request are both ready, it may pick the request.
//!   With `biased;` it tries them top to bottom, so put the shutdown first.
//! - Aborting only *asks* tokio to cancel a task; it is gone once the
//!   `JoinSet` reports it (keep calling `join_next_with_id` until it gives
//!   `None`). Dropping a `JoinSet` aborts its tasks without waiting, and
//!   dropping a plain `JoinHandle` does not stop its task at all.
//!
//! Run `cargo test -p ex12` to check your work. The tests use tokio's paused
//! clock, so a shutdown "at 5 s" costs microseconds of real time.
//!
//! [`JoinSet`]: tokio::task::JoinSet
//! [`JoinSet::abort_all`]: tokio::task::JoinSet::abort_all
//! [`JoinSet::spawn`]: tokio::task::JoinSet::spawn
//! [`JoinSet::join_next_with_id`]: tokio::task::JoinSet::join_next_with_id
//! [`AbortHandle`]: tokio::task::AbortHandle
//! [`AbortHandle::abort`]: tokio::task::AbortHandle::abort

use std::collections::HashMap;
use std::future::Future;
use std::panic;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{Id, JoinError, JoinSet};
use tokio_util::sync::CancellationToken;

/// What became of the requests [`serve`] started (provided: nothing to do
/// here). Both lists hold request ids, sorted in increasing order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShutdownReport {
    /// Requests whose handler ran to its end.
    pub completed: Vec<u64>,
    /// Requests whose handler was still running when the grace period ended,
    /// and was aborted.
    pub abandoned: Vec<u64>,
}

/// A service loop: takes request ids from `requests` and runs `handle(id)` for
/// each one as a task of its own, many at once.
///
/// When `shutdown` is cancelled, it stops taking requests at once, gives the
/// running ones up to `grace` to finish, then aborts the rest and waits until
/// they are gone. If the channel closes first, it lets every running request
/// finish. Returns which requests completed and which were abandoned.
pub async fn serve<F, Fut>(
    requests: mpsc::Receiver<u64>,
    handle: F,
    shutdown: CancellationToken,
    grace: Duration,
) -> ShutdownReport
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut running = Running::default();
    // 1. Take requests until the shutdown, or until the channel closes.
    running.take_requests(requests, handle, &shutdown).await;
    // 2. Let the running requests finish: for at most `grace` after a
    //    shutdown, all of them (however long they take) if the channel closed.
    if shutdown.is_cancelled() {
        running.stop_within(grace).await;
    } else {
        running.drain().await;
    }
    running.into_report()
}

/// The requests in flight, and what became of the finished ones.
#[derive(Default)]
struct Running {
    tasks: JoinSet<()>,
    /// Which request each task serves: task ids come back with every result,
    /// aborted or not.
    ids: HashMap<Id, u64>,
    report: ShutdownReport,
}

impl Running {
    /// Starts a task for each request, until the shutdown or until the
    /// channel closes.
    async fn take_requests<Fut: Future<Output = ()> + Send + 'static>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: impl Fn(u64) -> Fut,
        shutdown: &CancellationToken,
    ) {
        loop {
            tokio::select! {
                // Branches are tried top to bottom: when the shutdown and a
                // queued request are both ready, the shutdown wins.
                biased;
                _ = shutdown.cancelled() => break,
                // Collect finished requests as we go, so that a server running
                // for days does not keep every finished task in the set. (With
                // an empty set `join_next_with_id` gives `None` at once, the
                // pattern does not match, and select! simply waits for the
                // other branches.)
                Some(ended) = self.tasks.join_next_with_id() => self.record(ended),
                request = requests.recv() => match request {
                    Some(id) => self.start(id, handle(id)),
                    // Every Sender is gone: no request will ever come again.
                    None => break,
                },
            }
        }
        // Returning drops `requests`, which closes the channel: clients
        // sending now get an error at once, instead of queueing requests that
        // will never be served. Requests already queued are dropped with it,
        // never started.
    }

    /// After a shutdown: waits at most `grace` for the running requests, then
    /// aborts the rest. `timeout` returns as soon as the drain is done, so an
    /// idle server stops at once.
    async fn stop_within(&mut self, grace: Duration) {
        if tokio::time::timeout(grace, self.drain()).await.is_err() {
            // Time is up: cancel what is left (Python's `task.cancel()`), then
            // wait until every aborted task is really gone, so that nothing of
            // theirs runs after we return.
            self.tasks.abort_all();
            self.drain().await;
        }
    }

    fn start<Fut>(&mut self, id: u64, request: Fut)
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        let task = self.tasks.spawn(request);
        self.ids.insert(task.id(), id);
    }

    /// Files one ended task under completed or abandoned.
    fn record(&mut self, ended: Result<(Id, ()), JoinError>) {
        let (task, list) = match ended {
            Ok((task, ())) => (task, &mut self.report.completed),
            Err(e) if e.is_cancelled() => (e.id(), &mut self.report.abandoned),
            // A handler panicked: pass the panic on rather than hide it.
            Err(e) => panic::resume_unwind(e.into_panic()),
        };
        list.push(
            self.ids
                .remove(&task)
                .expect("every task was started by `start`"),
        );
    }

    /// Waits until every task has ended, recording each one.
    async fn drain(&mut self) {
        while let Some(ended) = self.tasks.join_next_with_id().await {
            self.record(ended);
        }
    }

    /// The report, both lists sorted.
    fn into_report(self) -> ShutdownReport {
        let mut report = self.report;
        report.completed.sort_unstable();
        report.abandoned.sort_unstable();
        report
    }
}
