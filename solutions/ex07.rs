//! # Exercise 7: producers and consumers
//!
//! In Python, threads that make work and threads that do it are joined by a
//! `queue.Queue(maxsize=10)`: producers `put` items, consumers `get` them.
//! The `maxsize` is what keeps memory in check: when the queue is full, `put`
//! *waits* until a consumer has taken something, so fast producers can never
//! run far ahead of slow consumers (this is called *backpressure*). To shut
//! down, the producers are joined and then a sentinel (`None`) is put once per
//! consumer, so that each `while True: item = q.get()` loop knows when to stop.
//!
//! In Rust the queue is a **channel**. `crossbeam::channel::bounded(capacity)`
//! gives a `(Sender, Receiver)` pair; both halves can be cloned and shared
//! between threads, so any number of producers can send and any number of
//! consumers can receive. `tx.send(item)` waits while the channel already
//! holds `capacity` items, just like `put` on a full `Queue`.
//!
//! Shutting down needs no sentinel: a channel **closes when its last `Sender`
//! is dropped**. Once it is closed and empty, `rx.recv()` returns `Err`, so a
//! consumer's `for item in rx.iter()` loop ends by itself, exactly when every
//! producer is done and every item has been taken. Nothing can be left behind,
//! however many producers and consumers there are.
//!
//! ## Your task
//! [`pipeline`]: start **one producer thread per source**, each sending every
//! item its iterator yields into one channel of `capacity` items, and
//! **`consumers` consumer threads**, each taking items from the channel and
//! calling `handle(item)` on them. Return every result of `handle` (in any
//! order) once all the threads have finished.
//!
//! - Every item is handled exactly once, on a consumer thread (never on a
//!   producer thread), and no result is lost.
//! - The channel is bounded: while the consumers are busy, the producers wait
//!   instead of pulling more items from their sources.
//! - The consumers run at the same time: with 4 consumers, 4 `handle` calls
//!   may be running at once.
//! - `capacity` 0 is allowed: it makes a *rendezvous* channel, where each
//!   `send` waits until a consumer takes the item straight from the producer.
//! - No sources, or sources that yield nothing, give an empty `Vec`.
//!
//! The tests hand `pipeline` sources that count how many items were pulled
//! from them, and a `handle` that can hold the consumers up, so they can tell
//! a bounded channel from an unbounded one and see which threads did what. A
//! source hands out its second item only once its first has reached `handle`.
//!
//! ## Useful tools
//! - `std::thread::scope(|s| { ... })`: threads spawned with `s.spawn(...)`
//!   may borrow `handle` and the `Receiver`, and the scope only returns once
//!   all of them have finished. A spawned closure may return a value (a
//!   consumer's own `Vec` of results), which `join()` hands back.
//! - `let (tx, rx) = crossbeam::channel::bounded(capacity);`, then
//!   `tx.clone()` moved into each producer, and `for item in rx.iter()` in
//!   each consumer.
//! - `drop(tx)`: drops the original `Sender` once every producer has its own
//!   clone.
//! - `consumers.get()` is the `usize` inside the `NonZeroUsize`.
//!
//! ## Watch out
//! - **Drop every `Sender`, the original included.** While one `Sender` is
//!   alive the channel stays open, the consumers wait for more items forever,
//!   and the scope (and `pipeline`) never returns.
//! - **Capacity 0 is not "no limit".** Python's `Queue(maxsize=0)` has no
//!   limit at all; crossbeam's `bounded(0)` is the strictest queue there is
//!   (`crossbeam::channel::unbounded()` is the one without a limit, and not what
//!   you want here).
//! - **An empty channel is not a finished one.** `rx.try_recv()` failing with
//!   `Empty` only means "nothing right now": a producer may be about to send.
//!   Only a closed channel means the producers are done, and `rx.iter()` and
//!   `rx.recv()` wait for exactly that.
//! - **Send each item as you pull it.** A producer that collects its source
//!   into a `Vec` before sending pulls everything at once: the channel's bound
//!   only limits what is *in* the channel.
//! - **A `Mutex<Receiver>` must not stay locked while you handle.** (With
//!   `std::sync::mpsc`, whose `Receiver` cannot be cloned.) In
//!   `while let Ok(item) = rx.lock().unwrap().recv() { ... }` the guard lives
//!   until the end of the loop body, so the consumers take turns.
//!
//! Run `cargo test -p ex07` to check your work.

use std::num::NonZeroUsize;
use std::panic;
use std::thread;

use crossbeam::channel;

/// Runs one producer thread per source and `consumers` consumer threads,
/// joined by a bounded channel of `capacity` items (0: a rendezvous channel).
///
/// Each producer sends every item its iterator yields; the consumers call
/// `handle` on each item. Returns every result (in any order) once all the
/// threads have finished.
pub fn pipeline<I, T, R, H>(
    sources: Vec<I>,
    consumers: NonZeroUsize,
    capacity: usize,
    handle: H,
) -> Vec<R>
where
    I: Iterator<Item = T> + Send,
    T: Send,
    R: Send,
    H: Fn(T) -> R + Sync,
{
    // The queue. `send` waits while it holds `capacity` items (with 0, until a
    // consumer takes the item): that wait is the backpressure that keeps the
    // producers from pulling more than the consumers can keep up with.
    let (tx, rx) = channel::bounded(capacity);

    thread::scope(|scope| {
        // Consumers first, so that items have somewhere to go as soon as the
        // producers start (the order only matters for speed here: nothing is
        // joined until the end of the scope).
        let consumer_threads = spawn_consumers(scope, consumers, &rx, &handle);
        // Each consumer has a Receiver of its own; the original goes. If every
        // consumer died (a panic in `handle`), the channel would be left
        // without receivers, `send` would fail and the producers would stop
        // instead of waiting forever.
        drop(rx);

        spawn_producers(scope, sources, &tx);
        // The original Sender: while it lives the channel stays open and the
        // consumers' loops never end. Now only the producers hold one, so the
        // channel closes as soon as the last producer is done.
        drop(tx);

        gather(consumer_threads)
    })
}

/// Starts `count` consumer threads, each with a clone of `rx`, and returns
/// them so that their results can be collected.
fn spawn_consumers<'scope, T: Send + 'scope, R: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    count: NonZeroUsize,
    rx: &channel::Receiver<T>,
    handle: &'scope (impl Fn(T) -> R + Sync),
) -> Vec<thread::ScopedJoinHandle<'scope, Vec<R>>> {
    (0..count.get())
        .map(|_| {
            let rx = rx.clone();
            scope.spawn(move || consume(rx, handle))
        })
        .collect()
}

/// One consumer: calls `handle` on every item it receives, and returns the
/// results.
fn consume<T, R>(rx: channel::Receiver<T>, handle: impl Fn(T) -> R) -> Vec<R> {
    // Ends once the channel is closed (every Sender dropped) *and* empty: no
    // sentinel, and no item left behind. Each consumer keeps its own results:
    // nothing to lock.
    rx.iter().map(handle).collect()
}

/// Starts one producer thread per source, each with a clone of `tx`.
fn spawn_producers<'scope, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    sources: Vec<impl Iterator<Item = T> + Send + 'scope>,
    tx: &channel::Sender<T>,
) {
    for source in sources {
        // One Sender per producer, moved into its thread: it is dropped when
        // that producer's source is used up.
        let tx = tx.clone();
        scope.spawn(move || produce(source, tx));
    }
}

/// One producer: sends every item of `source`, each as soon as it is pulled,
/// so that a full channel keeps it from pulling the next one.
fn produce<T>(source: impl Iterator<Item = T>, tx: channel::Sender<T>) {
    for item in source {
        if tx.send(item).is_err() {
            // Every receiver is gone, so no consumer is left: stop pulling
            // items nobody would handle. (The consumer's panic reaches our
            // caller through `gather`.)
            break;
        }
    }
}

/// Waits for every consumer and puts their results together (the scope
/// waits for the producers). A panic in `handle` is passed on to our caller
/// unchanged.
fn gather<R>(consumer_threads: Vec<thread::ScopedJoinHandle<'_, Vec<R>>>) -> Vec<R> {
    consumer_threads
        .into_iter()
        .flat_map(|consumer| {
            consumer
                .join()
                .unwrap_or_else(|payload| panic::resume_unwind(payload))
        })
        .collect()
}
