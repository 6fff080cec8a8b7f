//! Graded suite for exercise 7 (producers and consumers).
//!
//! Every test hands `pipeline` the grader's own sources and `handle`, which
//! together form the *probe*. The sources count every item pulled from them
//! and note which thread pulled it; `handle` counts every call, notes its
//! thread and, depending on the test, holds the consumers up:
//!
//! - **the gate** (bounded-queue tests): every `handle` call waits until the
//!   producers have stopped pulling for [`QUIET`] (or have pulled everything).
//!   A bounded channel makes them stop after at most `capacity + consumers +
//!   producers` items, whatever the timing; an unbounded one lets them pull
//!   everything. The bound is also checked in every other test, at every pull.
//! - **the rendezvous** (concurrency tests): a `handle` call waits until as
//!   many calls run at once as there should be consumers, `min(consumers,
//!   items)`, with a timeout ([`PATIENCE`], once per test) that turns a miss
//!   into a diagnosis. So "4 consumers ran at once on 4 threads" is an
//!   observation, not a timing guess.
//! - **the slow source**: before each of its items it waits until the other
//!   sources are used up and every item so far was handled, then pauses: the
//!   channel is empty for a while, though a producer is not done yet.
//!
//! `pipeline` runs on a thread of its own, under the `within` watchdog, while
//! the test thread watches the probe: when nothing moves for [`STALL`] (no
//! pull, no `handle` call begun or ended) and the grader holds nobody up, the
//! pipeline is stuck, and the probe's counters say where: consumers waiting
//! on a channel nobody closed, or producers waiting to send to consumers that
//! are gone.

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ex07::pipeline;
use grading::{check, fail, fmt_duration, within};

/// Real time a test may take before the watchdog stops it: a backstop, as the
/// probe notices a stuck pipeline after [`STALL`].
const WATCHDOG: Duration = Duration::from_secs(8);
/// No progress at all for this long, while the grader holds nobody up: the
/// pipeline is stuck. A working one makes progress every few microseconds.
const STALL: Duration = Duration::from_secs(1);
/// How long the rendezvous and the slow source wait for the pipeline (once
/// per test). A working pipeline needs microseconds.
const PATIENCE: Duration = Duration::from_secs(1);
/// The gate opens once the producers have pulled nothing for this long.
const QUIET: Duration = Duration::from_millis(150);
/// The slow source's pause, during which the channel stays empty.
const PAUSE: Duration = Duration::from_millis(15);
/// How often the test thread looks at the probe.
const TICK: Duration = Duration::from_millis(5);

const HUNG: &str = "pipeline never returned: the consumers are still waiting for items, or the \
    producers are waiting to send to consumers that are gone.\n\
    Try: drop every Sender (including the original) so the channel closes: give each producer \
    its own `tx.clone()`, then `drop(tx)`; and keep every consumer receiving until the channel \
    is closed (`for item in rx.iter()`).";

// ---------------------------------------------------------------------------
// Words.

/// "1 item", "3 items".
fn count(k: usize, what: &str) -> String {
    if k == 1 {
        format!("1 {what}")
    } else {
        format!("{k} {what}s")
    }
}

/// "was" for one, "were" for more.
fn was(k: usize) -> &'static str {
    if k == 1 {
        "was"
    } else {
        "were"
    }
}

/// At most `shown` entries of a list, so a long list stays readable.
fn preview(items: &[String], shown: usize) -> String {
    if items.len() <= shown {
        return items.join(", ");
    }
    format!("{}, … ({} in all)", items[..shown].join(", "), items.len())
}

fn label(source: usize, index: usize) -> String {
    format!("item {index} of source {source}")
}

// ---------------------------------------------------------------------------
// The probe.

/// An item as the grader's sources yield it: neither `Clone` nor `Copy`, so
/// it can only be handed on, never duplicated.
struct Item {
    source: usize,
    index: usize,
}

/// How `handle` holds the consumers up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// Not at all.
    Free,
    /// Until the producers stop pulling (see the module comment).
    Gate,
    /// Until `min(consumers, items)` calls run at once.
    Rendezvous,
}

/// One run: a source of `sources[i]` items for each `i`.
#[derive(Clone)]
struct Setup {
    sources: Vec<usize>,
    consumers: usize,
    capacity: usize,
    hold: Hold,
    /// The slow source, if any.
    slow: Option<usize>,
}

impl Setup {
    fn new(sources: &[usize], consumers: usize, capacity: usize) -> Self {
        Setup {
            sources: sources.to_vec(),
            consumers,
            capacity,
            hold: Hold::Free,
            slow: None,
        }
    }

    fn with(self, hold: Hold) -> Self {
        Setup { hold, ..self }
    }

    fn total(&self) -> usize {
        self.sources.iter().sum()
    }

    /// Most items that can be pulled and not yet handled: `capacity` in the
    /// channel, one held by each consumer and one by each producer.
    fn bound(&self) -> usize {
        self.capacity + self.consumers + self.sources.len()
    }

    /// How many `handle` calls should run at once.
    fn target(&self) -> usize {
        self.consumers.min(self.total())
    }

    fn describe(&self) -> String {
        let sizes: Vec<String> = self.sources.iter().map(|n| n.to_string()).collect();
        format!(
            "pipeline(sources of [{}] items, consumers = {}, capacity = {})",
            sizes.join(", "),
            self.consumers,
            self.capacity
        )
    }
}

struct State {
    /// `handle` calls per item, per source.
    calls: Vec<Vec<u32>>,
    /// Items pulled, per source.
    pulled: Vec<usize>,
    /// Whether each source has said `None`.
    exhausted: Vec<bool>,
    total_pulled: usize,
    /// `handle` calls begun and ended.
    entered: usize,
    completed: usize,
    in_handle: usize,
    peak_in_handle: usize,
    /// The most items pulled and not yet handled, and the counts then.
    peak_outstanding: usize,
    pulled_at_peak: usize,
    completed_at_peak: usize,
    source_threads: Vec<HashSet<ThreadId>>,
    handle_threads: HashSet<ThreadId>,
    last_progress: Instant,
    last_pull: Instant,
    /// Threads inside a wait the grader imposes (gate, rendezvous, slow
    /// source): no progress then is not the pipeline's fault.
    in_grader: usize,
    at_gate: usize,
    gate_open: bool,
    /// Items pulled when the gate opened.
    gate_pulled: Option<usize>,
    /// The rendezvous: bumped whenever enough calls run at once.
    generation: u64,
    gave_up: bool,
    /// `handle` calls running when the rendezvous gave up, if it did.
    short: Option<usize>,
    drain_gave_up: bool,
}

impl State {
    fn touch(&mut self) {
        self.last_progress = Instant::now();
    }
}

struct Probe {
    setup: Setup,
    state: Mutex<State>,
    wake: Condvar,
}

/// The grader's source `i`: pulls go through the probe.
struct Source {
    probe: Arc<Probe>,
    source: usize,
}

impl Iterator for Source {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.probe.pull(self.source)
    }
}

/// What the probe saw, handed back to the test's thread.
struct Report {
    calls: Vec<Vec<u32>>,
    pulled: Vec<usize>,
    exhausted: Vec<bool>,
    total_pulled: usize,
    completed: usize,
    peak_in_handle: usize,
    peak_outstanding: usize,
    pulled_at_peak: usize,
    completed_at_peak: usize,
    source_threads: Vec<HashSet<ThreadId>>,
    handle_threads: HashSet<ThreadId>,
    gate_pulled: Option<usize>,
    short: Option<usize>,
    drain_gave_up: bool,
}

impl Probe {
    fn new(setup: Setup) -> Self {
        let now = Instant::now();
        let n = setup.sources.len();
        let state = State {
            calls: setup.sources.iter().map(|&len| vec![0; len]).collect(),
            pulled: vec![0; n],
            exhausted: vec![false; n],
            total_pulled: 0,
            entered: 0,
            completed: 0,
            in_handle: 0,
            peak_in_handle: 0,
            peak_outstanding: 0,
            pulled_at_peak: 0,
            completed_at_peak: 0,
            source_threads: vec![HashSet::new(); n],
            handle_threads: HashSet::new(),
            last_progress: now,
            last_pull: now,
            in_grader: 0,
            at_gate: 0,
            gate_open: false,
            gate_pulled: None,
            generation: 0,
            gave_up: false,
            short: None,
            drain_gave_up: false,
        };
        Probe {
            setup,
            state: Mutex::new(state),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pull(&self, source: usize) -> Option<Item> {
        let mut s = self.lock();
        s.source_threads[source].insert(thread::current().id());
        if s.pulled[source] >= self.setup.sources[source] {
            if !s.exhausted[source] {
                s.exhausted[source] = true;
                s.touch();
                self.wake.notify_all();
            }
            return None;
        }
        if self.setup.slow == Some(source) {
            s = self.drain(s, source);
        }
        let index = s.pulled[source];
        s.pulled[source] += 1;
        s.total_pulled += 1;
        let outstanding = s.total_pulled - s.completed;
        if outstanding > s.peak_outstanding {
            s.peak_outstanding = outstanding;
            s.pulled_at_peak = s.total_pulled;
            s.completed_at_peak = s.completed;
        }
        s.touch();
        s.last_pull = s.last_progress;
        Some(Item { source, index })
    }

    /// The slow source: waits until every other source is used up and every
    /// item pulled so far was handled (at most [`PATIENCE`], once per test),
    /// then pauses while the channel is empty.
    fn drain<'a>(&'a self, mut s: MutexGuard<'a, State>, source: usize) -> MutexGuard<'a, State> {
        let drained = |s: &State| {
            s.completed == s.total_pulled
                && (0..s.exhausted.len()).all(|j| j == source || s.exhausted[j])
        };
        s.in_grader += 1;
        if !s.drain_gave_up && !drained(&s) {
            let (guard, _) = self
                .wake
                .wait_timeout_while(s, PATIENCE, |s| !drained(s))
                .unwrap_or_else(PoisonError::into_inner);
            s = guard;
            if !drained(&s) {
                s.drain_gave_up = true;
            }
        }
        drop(s);
        thread::sleep(PAUSE);
        let mut s = self.lock();
        s.in_grader -= 1;
        s
    }

    fn handle(&self, item: Item) -> (usize, usize) {
        let mut s = self.lock();
        s.handle_threads.insert(thread::current().id());
        s.calls[item.source][item.index] += 1;
        s.entered += 1;
        s.in_handle += 1;
        s.peak_in_handle = s.peak_in_handle.max(s.in_handle);
        s.touch();
        match self.setup.hold {
            Hold::Free => {}
            Hold::Gate => {
                s.in_grader += 1;
                s.at_gate += 1;
                s = self
                    .wake
                    .wait_while(s, |s| !s.gate_open)
                    .unwrap_or_else(PoisonError::into_inner);
                s.at_gate -= 1;
                s.in_grader -= 1;
            }
            Hold::Rendezvous => s = self.rendezvous(s),
        }
        s.in_handle -= 1;
        s.completed += 1;
        s.touch();
        self.wake.notify_all();
        (item.source, item.index)
    }

    /// Waits until `min(consumers, items)` calls run at once, or every item
    /// has reached `handle`. A waiter is released when the generation it saw
    /// has passed, even if the count has dropped again since.
    fn rendezvous<'a>(&self, mut s: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        if s.in_handle >= self.setup.target() || s.entered >= self.setup.total() {
            s.generation += 1;
            self.wake.notify_all();
            return s;
        }
        if s.gave_up {
            return s;
        }
        let seen = s.generation;
        s.in_grader += 1;
        let (mut s, _) = self
            .wake
            .wait_timeout_while(s, PATIENCE, |s| !s.gave_up && s.generation == seen)
            .unwrap_or_else(PoisonError::into_inner);
        s.in_grader -= 1;
        if !s.gave_up && s.generation == seen {
            // A miss: note it, and release everyone for the rest of the test.
            s.gave_up = true;
            s.short = Some(s.in_handle);
            self.wake.notify_all();
        }
        s
    }

    /// Called by the test thread every [`TICK`]: opens the gate when it is
    /// time, and says whether the pipeline is stuck.
    fn tick(&self) -> bool {
        let mut s = self.lock();
        let now = Instant::now();
        if self.setup.hold == Hold::Gate && !s.gate_open {
            let everything = s.total_pulled >= self.setup.total();
            let quiet = s.at_gate > 0 && now.duration_since(s.last_pull) >= QUIET;
            if everything || quiet {
                s.gate_open = true;
                s.gate_pulled = Some(s.total_pulled);
                self.wake.notify_all();
            }
        }
        s.in_grader == 0 && now.duration_since(s.last_progress) >= STALL
    }

    fn report(&self) -> Report {
        let s = self.lock();
        Report {
            calls: s.calls.clone(),
            pulled: s.pulled.clone(),
            exhausted: s.exhausted.clone(),
            total_pulled: s.total_pulled,
            completed: s.completed,
            peak_in_handle: s.peak_in_handle,
            peak_outstanding: s.peak_outstanding,
            pulled_at_peak: s.pulled_at_peak,
            completed_at_peak: s.completed_at_peak,
            source_threads: s.source_threads.clone(),
            handle_threads: s.handle_threads.clone(),
            gate_pulled: s.gate_pulled,
            short: s.short,
            drain_gave_up: s.drain_gave_up,
        }
    }
}

/// How a run ended.
enum Ended {
    Returned(Vec<(usize, usize)>),
    /// No progress for [`STALL`].
    Stuck,
}

/// Runs `pipeline` on the probe's sources. `pipeline` runs on a thread of its
/// own (named like the watchdog's, so a panic there reads as the student's),
/// while this one watches the probe for a stall.
#[track_caller]
fn run(setup: &Setup) -> (Ended, Report) {
    let setup = setup.clone();
    within(WATCHDOG, HUNG, move || {
        let probe = Arc::new(Probe::new(setup.clone()));
        let sources: Vec<Source> = (0..setup.sources.len())
            .map(|source| Source {
                probe: Arc::clone(&probe),
                source,
            })
            .collect();
        let consumers = NonZeroUsize::new(setup.consumers).expect("at least one consumer");
        let capacity = setup.capacity;
        let in_pipeline = Arc::clone(&probe);
        let (tx, rx) = mpsc::channel();
        thread::Builder::new()
            .name("graded-work".into())
            .spawn(move || {
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                    pipeline(sources, consumers, capacity, |item| {
                        in_pipeline.handle(item)
                    })
                }));
                let _ = tx.send(outcome);
            })
            .expect("the grader could not start a thread");
        loop {
            match rx.recv_timeout(TICK) {
                Ok(Ok(results)) => return (Ended::Returned(results), probe.report()),
                // The student's panic (or `todo!()`): the watchdog reports it.
                Ok(Err(payload)) => panic::resume_unwind(payload),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the grader lost the thread that ran `pipeline`")
                }
                Err(RecvTimeoutError::Timeout) => {
                    if probe.tick() {
                        return (Ended::Stuck, probe.report());
                    }
                }
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Judging.

/// The sources not read to the end, as "source 1 (3 of 40 pulled)".
fn unread(setup: &Setup, r: &Report) -> Vec<String> {
    (0..setup.sources.len())
        .filter(|&i| r.pulled[i] < setup.sources[i])
        .map(|i| {
            let (pulled, len) = (r.pulled[i], setup.sources[i]);
            format!("source {i} ({pulled} of {len} pulled)")
        })
        .collect()
}

/// Explains a pipeline that stopped moving.
#[track_caller]
fn judge_stuck(setup: &Setup, r: &Report) -> ! {
    let what = setup.describe();
    let n = setup.total();
    let stall = fmt_duration(STALL);
    let all_read = r.exhausted.iter().all(|&e| e);
    if all_read && r.completed == r.total_pulled {
        fail!(
            "pipeline never returned: the consumers are still waiting for items. In {what}, \
             every source was read to the end and {}, yet {stall} later `pipeline` had still \
             not returned.",
            if n == 0 {
                String::from("there was no item to handle")
            } else {
                format!("all {} were handled", count(n, "item"))
            };
            try = "drop every Sender (including the original) so the channel closes: give each \
                   producer its own `tx.clone()`, then `drop(tx)`. A consumer's \
                   `for item in rx.iter()` only ends once the last Sender is gone."
        );
    }
    let unread = unread(setup, r);
    let unread_note = if unread.is_empty() {
        String::from("every source was read to the end")
    } else {
        format!("not read to the end: {}", preview(&unread, 3))
    };
    if r.total_pulled > 0 && r.completed == 0 {
        fail!(
            "the pipeline got stuck before a single item was handled: in {what} the producers \
             pulled {} ({unread_note}), then for {stall} no consumer took one, so the \
             producers wait forever to send.",
            count(r.total_pulled, "item");
            try = "start the consumers before you wait for the producers: with a bounded \
                   channel a producer can only finish once consumers make room (in a \
                   `thread::scope`, spawn both sides and join nothing before the end). And keep \
                   every consumer receiving until the channel is closed: `for item in rx.iter()`."
        );
    }
    if r.total_pulled == 0 {
        fail!(
            "nothing happened in {what}: for {stall} no item was pulled from any source, and \
             `pipeline` did not return.";
            try = "start one producer thread per source, each sending every item of its \
                   source (`for item in source {{ tx.send(item) }}`)."
        );
    }
    fail!(
        "the pipeline got stuck: in {what}, {} pulled, {} handled ({unread_note}), then for \
         {stall} no consumer took another item, so the producers wait forever to send: the \
         consumers stopped early.",
        count(r.total_pulled, "item"),
        r.completed;
        try = "a consumer must keep receiving until the channel is closed and empty: \
               `for item in rx.iter()`. `try_recv` fails with `Empty` whenever the channel is \
               momentarily empty, which does not mean the producers are done, and a stop \
               signal from one producer does not mean the others are done."
    );
}

/// Every item handled once, every result returned.
#[track_caller]
fn judge_items(setup: &Setup, r: &Report, results: &[(usize, usize)]) {
    let what = setup.describe();
    let n = setup.total();
    let mut twice = Vec::new();
    let mut never = Vec::new();
    for (source, calls) in r.calls.iter().enumerate() {
        for (index, &k) in calls.iter().enumerate() {
            match k {
                0 => never.push(label(source, index)),
                1 => {}
                k => twice.push(format!("{} ({k} times)", label(source, index))),
            }
        }
    }
    if !twice.is_empty() {
        fail!(
            "in {what} some items were handled more than once: {}.",
            preview(&twice, 3);
            try = "hand each item to exactly one consumer: send it once, into one channel \
                   that every consumer receives from."
        );
    }
    if !never.is_empty() {
        let unread = unread(setup, r);
        if !unread.is_empty() {
            fail!(
                "in {what}, {} of the {n} items {} never handled ({}): some sources were not \
                 read to the end: {}.",
                never.len(),
                was(never.len()),
                preview(&never, 3),
                preview(&unread, 3);
                try = "each producer must send every item its source yields \
                       (`for item in source`) until the source is used up. A producer also \
                       stops early when its `send` fails because every consumer is gone: the \
                       consumers must keep receiving until the channel is closed \
                       (`for item in rx.iter()`), and a stop signal from the first producer \
                       to finish does not mean the others are done."
            );
        }
        fail!(
            "in {what}, {} of the {n} items {} never handled ({}), though every source was \
             read to the end: the producers pulled them, but no consumer got them. The \
             consumers stopped before the channel was empty, or a send failed and the item \
             was lost.",
            never.len(),
            was(never.len()),
            preview(&never, 3);
            try = "a consumer must keep receiving until the channel is closed *and* empty: \
                   `for item in rx.iter()` ends exactly then. Stop signals (one `None` per \
                   consumer) break as soon as there are several producers: let the channel \
                   close instead, by dropping every Sender."
        );
    }
    // Every item handled exactly once: the results must be those n pairs.
    check!(
        results.len() == n,
        "{what} returned {} results, but `handle` was called {n} times: {}.",
        results.len(),
        if results.len() < n {
            "some results were lost (is every consumer's Vec in the returned one?)"
        } else {
            "some results were returned more than once"
        };
        try = "collect what each consumer's `handle` calls return (a Vec per consumer, \
               returned from its thread), and concatenate them all after the scope."
    );
    let mut got = results.to_vec();
    got.sort_unstable();
    let mut want: Vec<(usize, usize)> = (0..setup.sources.len())
        .flat_map(|s| (0..setup.sources[s]).map(move |i| (s, i)))
        .collect();
    want.sort_unstable();
    if got != want {
        let mut seen = HashSet::new();
        let dup: Vec<String> = got
            .iter()
            .filter(|&&p| !seen.insert(p))
            .map(|&(s, i)| label(s, i))
            .collect();
        fail!(
            "{what} returned {n} results, but not one per `handle` call: {}.",
            if dup.is_empty() {
                String::from("some results were not what `handle` returned")
            } else {
                format!("results for {} came back twice", preview(&dup, 3))
            };
            try = "return each result of `handle` exactly once."
        );
    }
}

/// The threads' roles: producers only produce, one thread per source, at most
/// `consumers` threads call `handle`.
#[track_caller]
fn judge_threads(setup: &Setup, r: &Report) {
    let what = setup.describe();
    let producers: HashSet<ThreadId> = r.source_threads.iter().flatten().copied().collect();
    let mixed = r.handle_threads.intersection(&producers).count();
    if mixed > 0 {
        fail!(
            "in {what}, `handle` ran on a producer thread ({} that pulled items from a \
             source also called `handle`): a producer that handles items itself, for \
             example when the channel is full, is not waiting for the consumers, and the \
             channel no longer limits anything.",
            count(mixed, "thread");
            try = "producers only send (`tx.send(item)` waits while the channel is full); only \
                   the consumer threads call `handle`."
        );
    }
    for i in 0..r.source_threads.len() {
        for j in i + 1..r.source_threads.len() {
            if !r.source_threads[i].is_disjoint(&r.source_threads[j]) {
                fail!(
                    "in {what}, source {i} and source {j} were read on the same thread: one \
                     producer thread read several sources, one after the other, so a slow \
                     source would hold up all the others.";
                    try = "start one producer thread per source: \
                           `for source in sources {{ let tx = tx.clone(); s.spawn(move || ...); }}`."
                );
            }
        }
    }
    let k = r.handle_threads.len();
    check!(
        k <= setup.consumers,
        "in {what}, `handle` ran on {k} different threads, but consumers = {}: a thread per \
         item (or per batch) is not a fixed set of consumers.",
        setup.consumers;
        try = "spawn exactly `consumers.get()` consumer threads, each calling `handle` on \
               items from `rx.iter()` until the channel is closed."
    );
}

/// The channel is bounded: never more than `capacity + consumers + producers`
/// items pulled and not yet handled.
#[track_caller]
fn judge_bound(setup: &Setup, r: &Report) {
    let bound = setup.bound();
    if r.peak_outstanding <= bound {
        return;
    }
    let c = setup.capacity;
    let stuck = match r.gate_pulled {
        Some(_) => String::from("were stuck in `handle`"),
        None => format!("had handled only {}", r.completed_at_peak),
    };
    let zero = if c == 0 {
        " Capacity 0 is a rendezvous, not \"no limit\": `bounded(0)` holds nothing, and each \
         `send` waits until a consumer takes the item (Python's `Queue(maxsize=0)` means no \
         limit, Rust's `bounded(0)` does not)."
    } else {
        ""
    };
    fail!(
        "unbounded queue: producers pulled {} items while consumers {stuck} ({}). A channel of \
         capacity {c} lets at most {bound} items be pulled and not yet handled: {c} in the \
         channel, one in the hands of each of the {} consumers and one in each of the {} \
         producers' (waiting to be sent).{zero}",
        r.pulled_at_peak,
        setup.describe(),
        setup.consumers,
        setup.sources.len();
        try = "use crossbeam::channel::bounded(capacity): `send` then waits while the channel \
               is full, so the producers only pull what fits."
    );
}

/// `min(consumers, items)` calls of `handle` ran at once, on as many threads.
#[track_caller]
fn judge_concurrency(setup: &Setup, r: &Report) {
    let what = setup.describe();
    let target = setup.target();
    let peak = r.peak_in_handle;
    let threads = r.handle_threads.len();
    if peak < target {
        fail!(
            "in {what}, `handle` ran on {} and never more than {peak} at once, though \
             consumers = {} and {} allow {target} at the same time (the grader waited {} for \
             more).",
            count(threads, "thread"),
            setup.consumers,
            count(setup.total(), "item"),
            fmt_duration(PATIENCE);
            try = "spawn `consumers.get()` consumer threads, all of them before joining any, \
                   each taking items with `for item in rx.iter()`: they then handle items at \
                   the same time."
        );
    }
    if let Some(running) = r.short {
        fail!(
            "in {what}, at one point only {} {} running while items were still to come, \
             though {target} may run at once (the grader waited {}): some consumers had \
             stopped taking items.",
            count(running, "`handle` call"),
            was(running),
            fmt_duration(PATIENCE);
            try = "keep every consumer receiving until the channel is closed: \
                   `for item in rx.iter()`."
        );
    }
}

/// Runs one setup and judges everything the probe can see.
#[track_caller]
fn judge(setup: &Setup) -> Report {
    let (ended, report) = run(setup);
    let results = match ended {
        Ended::Returned(results) => results,
        Ended::Stuck => judge_stuck(setup, &report),
    };
    judge_threads(setup, &report);
    judge_items(setup, &report, &results);
    judge_bound(setup, &report);
    if setup.hold == Hold::Rendezvous {
        judge_concurrency(setup, &report);
    }
    report
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn every_item_is_handled_exactly_once() {
    judge(&Setup::new(&[7, 0, 25, 3], 3, 4));
}

#[test]
fn many_items_from_many_producers() {
    judge(&Setup::new(&[1500, 900, 2100, 500], 4, 16));
}

#[test]
fn one_consumer_handles_everything() {
    judge(&Setup::new(&[10, 20, 5], 1, 1));
}

#[test]
fn consumers_handle_items_at_the_same_time() {
    judge(&Setup::new(&[12, 12], 4, 2).with(Hold::Rendezvous));
}

#[test]
fn more_consumers_than_items() {
    judge(&Setup::new(&[2], 5, 1).with(Hold::Rendezvous));
}

#[test]
fn the_queue_holds_at_most_capacity_items() {
    judge(&Setup::new(&[100, 100], 2, 3).with(Hold::Gate));
}

#[test]
fn capacity_zero_hands_each_item_over_directly() {
    judge(&Setup::new(&[60, 60, 60], 2, 0).with(Hold::Gate));
}

#[test]
fn a_slow_producer_does_not_end_the_pipeline() {
    // Source 0 yields its 6 items slowly: before each one, the other source is
    // used up and the channel is empty for a moment.
    let setup = Setup {
        slow: Some(0),
        ..Setup::new(&[6, 30], 2, 2)
    };
    let report = judge(&setup);
    check!(
        !report.drain_gave_up,
        "in {}, the slow source 0 waited {} for the other source to be used up and every item \
         pulled so far to be handled, in vain: the pipeline stopped moving while a producer \
         was still pulling.",
        setup.describe(),
        fmt_duration(PATIENCE);
        try = "run every producer on its own thread and keep the consumers receiving \
               (`for item in rx.iter()`) until the channel is closed."
    );
}

#[test]
fn no_sources_give_an_empty_vec() {
    judge(&Setup::new(&[], 3, 2));
}

#[test]
fn empty_sources_give_an_empty_vec() {
    judge(&Setup::new(&[0, 0, 0, 0], 2, 1));
}
