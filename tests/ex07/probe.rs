//! The instrumentation: the grader's sources and `handle`, which together
//! form the *probe*, and the run that watches them.
//!
//! The sources count every item pulled from them and note which thread
//! pulled it; `handle` counts every call, notes its thread and, depending on
//! the test, holds the consumers up:
//!
//! - **the first-item hold** (every test): a source's second item is pulled
//!   only once its first item has reached `handle`, or every consumer is
//!   busy in `handle` (at most [`PATIENCE`], once per test). A producer that
//!   sends each item as it pulls it is held for microseconds; one that pulls
//!   ahead before sending (collecting its source first) keeps its first item
//!   to itself while the consumers sit idle, and the hold runs out: that is
//!   the evidence that tells "pulls before sending" from "the channel has no
//!   bound".
//! - **the gate** (bounded-queue tests): every `handle` call waits until the
//!   producers cannot pull more. A bounded channel stops them after at most
//!   `capacity + consumers + producers` items; an unbounded one lets them
//!   pull everything. On Linux the gate opens once every thread that pulled
//!   is asleep outside the grader (`/proc/…/stat` state `S`: blocked in
//!   `send`) at two looks [`TICK`] apart with no pull in between, or has
//!   exited. A producer sending into an unbounded channel never sleeps
//!   there, so the gate cannot open before it has pulled past the bound,
//!   whatever the timing; only a producer that is runnable but gets no CPU
//!   for a whole [`QUIET_MAX`] could slip through. Where `/proc` does not
//!   tell, the gate opens after [`QUIET_ELSEWHERE`] without a pull.
//! - **the rendezvous** (concurrency tests): a `handle` call waits until as
//!   many calls run at once as there should be consumers, `min(consumers,
//!   items)`, or every item has reached `handle` ([`grading::Rendezvous`]).
//! - **the slow source**: before each of its items it waits until the other
//!   sources are used up and every item so far was handled, then pauses: the
//!   channel is empty for a while, though a producer is not done yet. The
//!   first pause lasts until a consumer thread ends, or [`QUIET`]: a
//!   consumer that takes a quiet channel for a closed one (`try_recv` found it
//!   `Empty`, a `recv_timeout` ran out) ends during it, whatever the timing,
//!   as long as it gives up within [`QUIET`] of silence; a correct one
//!   waits in `recv` until the channel closes. The later pauses are short.
//!
//! Each producer thread also leaves a thread-local note that records when it
//! exits, so the judges know whether the consumers started only after every
//! producer had finished; each consumer thread (one that called `handle` and
//! never pulled) leaves one too, so the judges know when a consumer ended
//! while a source still had items: it stopped before the channel was closed.
//! Threads are told apart by their `ThreadId`, never by their name (an
//! unnamed thread inherits its parent's name on Linux).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fs;
use std::num::NonZeroUsize;
use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ex07::pipeline;
use grading::{catch_panic, ms, secs, within, Cause, Diagnosis, Miss, Patience, Rendezvous};

/// Real time a test may take before the watchdog stops it: a backstop, as the
/// probe notices a stuck pipeline after [`STALL`] without progress. A
/// pipeline that keeps making progress is slow, not stuck: with the machine
/// loaded far beyond its cores (a load of 36 on 2 cores), one producer thread
/// reading 5000 items took more than 8 s, and a watchdog that short called
/// it hung. A correct pipeline needs milliseconds.
pub const WATCHDOG: Duration = secs(30);
/// No progress at all for this long, while the grader holds nobody up: the
/// pipeline is stuck. A working one makes progress every few microseconds.
pub const STALL: Duration = secs(1);
/// How long the rendezvous, the first-item hold and the slow source wait for
/// the pipeline (once per test each). A working pipeline needs microseconds.
pub const PATIENCE: Duration = secs(1);
/// The slow source's first pause, with the channel empty but not closed:
/// a correct pipeline waits it out in `recv`, so it is the one wait a
/// correct solution pays (the student's verdict stays under a second). A
/// consumer that takes silence for the end (`try_recv` finding `Empty`, a
/// `recv_timeout` shorter than this) ends within it. 200 ms catches the
/// 100 ms `recv_timeout` of the catalogue with 100 ms to spare for its
/// thread's wake-up on a loaded machine, and keeps the verdict under 1 s.
pub const QUIET: Duration = ms(200);
/// The gate opens no sooner than this after the last pull.
const QUIET_MIN: Duration = ms(10);
/// The gate opens after this long without a pull, even if a thread that
/// pulled is not seen asleep (a producer that spins instead of blocking).
pub const QUIET_MAX: Duration = secs(1);
/// Where thread states cannot be read: the gate opens after this long
/// without a pull.
pub const QUIET_ELSEWHERE: Duration = ms(150);
/// The slow source's later pauses, during which the channel stays empty (a
/// consumer polling it sees `Empty`; the first pause already caught one that
/// stops there).
const PAUSE: Duration = ms(5);
/// How often the test thread looks at the probe.
pub const TICK: Duration = ms(5);

/// The watchdog's diagnosis: it proves no cause, only that nothing ended.
fn hung() -> Diagnosis {
    Diagnosis::new(
        "pipeline never returned: the consumers are still waiting for items, the producers \
         are waiting to send to consumers that are gone, or a loop never ends.",
    )
    .candidates([
        Cause::ChannelNeverClosed,
        Cause::StoppedBeforeClosed,
        Cause::BusyLoop,
    ])
    .advice(
        "drop every Sender (including the original) so the channel closes: give each producer \
         its own `tx.clone()`, then `drop(tx)`; and keep every consumer receiving until the \
         channel is closed (`for item in rx.iter()`).",
    )
}

/// An item as the grader's sources yield it: neither `Clone` nor `Copy`, so
/// it can only be handed on, never duplicated.
pub struct Item {
    source: usize,
    index: usize,
}

/// How `handle` holds the consumers up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Not at all.
    Free,
    /// Until the producers cannot pull more (see the module comment).
    Gate,
    /// Until `min(consumers, items)` calls run at once.
    Rendezvous,
}

/// One run: a source of `sources[i]` items for each `i`.
#[derive(Clone)]
pub struct Setup {
    pub sources: Vec<usize>,
    pub consumers: usize,
    pub capacity: usize,
    pub hold: Hold,
    /// The slow source, if any.
    pub slow: Option<usize>,
}

impl Setup {
    pub fn new(sources: &[usize], consumers: usize, capacity: usize) -> Self {
        Setup {
            sources: sources.to_vec(),
            consumers,
            capacity,
            hold: Hold::Free,
            slow: None,
        }
    }

    pub fn with(self, hold: Hold) -> Self {
        Setup { hold, ..self }
    }

    pub fn total(&self) -> usize {
        self.sources.iter().sum()
    }

    /// Most items that can be pulled and not yet handled: `capacity` in the
    /// channel, one held by each consumer and one by each producer.
    pub fn bound(&self) -> usize {
        self.capacity + self.consumers + self.sources.len()
    }

    /// How many `handle` calls should run at once.
    pub fn target(&self) -> usize {
        self.consumers.min(self.total())
    }

    pub fn describe(&self) -> String {
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
    /// Threads inside a wait the grader imposes: no progress then is not
    /// the pipeline's fault.
    in_grader: usize,
    at_gate: usize,
    gate_open: bool,
    /// Looks in a row, at the same pull count, that found every thread that
    /// pulled asleep outside the grader.
    asleep_looks: (usize, u32),
    /// Whether each source's first item has reached `handle`.
    first_handled: Vec<bool>,
    /// The source whose second pull waited in vain for its first item to
    /// reach `handle`.
    ahead: Option<usize>,
    drain_gave_up: bool,
    /// Producer threads (threads that pulled) seen, and still running.
    producers_seen: usize,
    producers_alive: usize,
    /// Their kernel thread ids (`None` once one is unknown).
    producer_tids: Option<Vec<u32>>,
    /// The thread that runs `pipeline` (the grader's): its end is not a
    /// consumer's.
    pipeline_thread: Option<ThreadId>,
    /// The first consumer thread seen ending while a source still had
    /// items.
    quit: Option<Quit>,
    /// Whether the slow source is pausing (or waiting to pause) now.
    pausing: bool,
    /// At the first `handle` call: had every producer thread finished?
    first_handle_after_producers: Option<bool>,
    /// For the picture, since the probe was made: each `handle` call (its
    /// thread, start and end, `None` while running), each source's first and
    /// last pull, when the last item was pulled and when the last producer
    /// thread exited.
    spans: Vec<(ThreadId, Duration, Option<Duration>)>,
    source_spans: Vec<Option<(Duration, Duration)>>,
    all_pulled_at: Option<Duration>,
    producers_done_at: Option<Duration>,
}

impl State {
    fn touch(&mut self) {
        self.last_progress = Instant::now();
    }
}

/// A consumer thread that ended while a source still had items to give.
#[derive(Clone, Copy, Debug)]
pub struct Quit {
    /// When it ended, since the probe was made.
    pub at: Duration,
    /// Whether, at that moment, every producer thread seen was still running
    /// and no source had said `None`: no producer could have sent a stop
    /// signal yet, so the consumer gave up on a quiet channel.
    pub no_producer_done: bool,
    /// Whether the slow source was pausing then, with the channel empty.
    pub during_pause: bool,
}

/// One `handle` call, for the picture: its thread, start and end.
#[derive(Clone, Copy)]
pub struct Call {
    pub thread: ThreadId,
    pub start: Duration,
    pub end: Duration,
}

/// The sources' and `handle`'s shared bookkeeping.
pub struct Probe {
    setup: Setup,
    state: Mutex<State>,
    wake: Condvar,
    /// Threads inside `pull` (counted before it takes the lock).
    pulling: AtomicUsize,
    /// Where the picture's clock starts.
    origin: Instant,
    together: Rendezvous,
    first_item: Patience,
    drain: Patience,
    /// The slow source's first pause: until a consumer ends, at most once.
    quiet: Patience,
}

/// The grader's source `i`: pulls go through the probe.
pub struct Source {
    probe: Arc<Probe>,
    source: usize,
}

impl Iterator for Source {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        Probe::pull(&self.probe, self.source)
    }
}

/// What the probe saw, handed back to the test's thread.
pub struct Report {
    pub calls: Vec<Vec<u32>>,
    pub pulled: Vec<usize>,
    pub exhausted: Vec<bool>,
    pub total_pulled: usize,
    pub completed: usize,
    pub peak_in_handle: usize,
    pub peak_outstanding: usize,
    pub pulled_at_peak: usize,
    pub completed_at_peak: usize,
    pub source_threads: Vec<HashSet<ThreadId>>,
    pub handle_threads: HashSet<ThreadId>,
    /// What the rendezvous saw when it gave up, if it did.
    pub miss: Option<Miss>,
    pub ahead: Option<usize>,
    pub drain_gave_up: bool,
    pub first_handle_after_producers: Option<bool>,
    /// Every `handle` call (one still running ends when the report was made).
    pub calls_seen: Vec<Call>,
    /// Each source's first and last pull.
    pub source_spans: Vec<Option<(Duration, Duration)>>,
    pub all_pulled_at: Option<Duration>,
    pub producers_done_at: Option<Duration>,
    /// A consumer thread that ended while a source still had items.
    pub quit: Option<Quit>,
    /// When the report was made.
    pub ended_at: Duration,
}

thread_local! {
    /// This thread's kernel id, read once (0: not read yet).
    static TID: Cell<u32> = const { Cell::new(0) };
    /// The probes this thread pulled for: each is told when the thread exits.
    static PULLED_FOR: RefCell<Vec<ExitNote>> = const { RefCell::new(Vec::new()) };
    /// The probes this thread called `handle` for: each is told when the
    /// thread exits.
    static HANDLED_FOR: RefCell<Vec<ConsumerNote>> = const { RefCell::new(Vec::new()) };
}

/// Tells its probe when the thread holding it, which called `handle`, exits.
/// It keeps the thread's id: `thread::current()` may no longer be available
/// while thread-locals are dropped.
struct ConsumerNote(Weak<Probe>, ThreadId);

impl Drop for ConsumerNote {
    fn drop(&mut self) {
        if let Some(probe) = self.0.upgrade() {
            let mut s = probe.lock();
            let producer = s.source_threads.iter().any(|t| t.contains(&self.1));
            let all_read = s.exhausted.iter().all(|&e| e);
            if !producer && !all_read && s.pipeline_thread != Some(self.1) && s.quit.is_none() {
                let no_producer_done =
                    s.producers_alive == s.producers_seen && s.exhausted.iter().all(|&e| !e);
                s.quit = Some(Quit {
                    at: probe.origin.elapsed(),
                    no_producer_done,
                    during_pause: s.pausing,
                });
                probe.wake.notify_all();
            }
            s.touch();
        }
    }
}

/// Tells its probe when the producer thread holding it exits (thread-local
/// values are dropped as their thread ends, before `join` returns).
struct ExitNote(Weak<Probe>);

impl Drop for ExitNote {
    fn drop(&mut self) {
        if let Some(probe) = self.0.upgrade() {
            let mut s = probe.lock();
            s.producers_alive -= 1;
            if s.producers_alive == 0 {
                s.producers_done_at = Some(probe.origin.elapsed());
            }
            s.touch();
        }
    }
}

/// This thread's kernel id (Linux), `None` where `/proc` does not tell.
fn tid() -> Option<u32> {
    TID.with(|cached| {
        if cached.get() == 0 {
            let link = fs::read_link("/proc/thread-self").ok()?;
            let id = link.file_name()?.to_str()?.parse().ok()?;
            cached.set(id);
        }
        Some(cached.get())
    })
}

/// Whether the thread `tid` of this process is asleep (state `S`) or gone;
/// `None` when its state cannot be read.
fn asleep_or_gone(tid: u32) -> Option<bool> {
    match fs::read_to_string(format!("/proc/self/task/{tid}/stat")) {
        // The state follows the name, which is in parentheses.
        Ok(stat) => {
            let state = stat.rsplit_once(')')?.1.split_whitespace().next()?;
            Some(matches!(state, "S" | "Z" | "X"))
        }
        Err(_) => Some(fs::metadata("/proc/self/task").is_ok()),
    }
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
            asleep_looks: (0, 0),
            first_handled: vec![false; n],
            ahead: None,
            drain_gave_up: false,
            producers_seen: 0,
            producers_alive: 0,
            producer_tids: Some(Vec::new()),
            pipeline_thread: None,
            quit: None,
            pausing: false,
            first_handle_after_producers: None,
            spans: Vec::new(),
            source_spans: vec![None; n],
            all_pulled_at: None,
            producers_done_at: None,
        };
        let together = Rendezvous::new(setup.target(), PATIENCE).expecting(setup.total());
        Probe {
            setup,
            state: Mutex::new(state),
            wake: Condvar::new(),
            pulling: AtomicUsize::new(0),
            origin: now,
            together,
            first_item: Patience::new(PATIENCE),
            drain: Patience::new(PATIENCE),
            quiet: Patience::new(QUIET),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pull(this: &Arc<Probe>, source: usize) -> Option<Item> {
        this.pulling.fetch_add(1, Ordering::SeqCst);
        let item = this.pull_counted(this, source);
        this.pulling.fetch_sub(1, Ordering::SeqCst);
        item
    }

    /// Notes the calling thread as a producer, once per probe.
    fn register(this: &Arc<Probe>, s: &mut State) {
        let known = PULLED_FOR.with(|notes| {
            let mut notes = notes.borrow_mut();
            let known = notes.iter().any(|n| n.0.as_ptr() == Arc::as_ptr(this));
            if !known {
                notes.push(ExitNote(Arc::downgrade(this)));
            }
            known
        });
        if known {
            return;
        }
        s.producers_seen += 1;
        s.producers_alive += 1;
        match (tid(), s.producer_tids.as_mut()) {
            (Some(id), Some(tids)) => tids.push(id),
            _ => s.producer_tids = None,
        }
    }

    fn pull_counted(&self, this: &Arc<Probe>, source: usize) -> Option<Item> {
        let mut s = self.lock();
        Probe::register(this, &mut s);
        s.source_threads[source].insert(thread::current().id());
        let at = self.origin.elapsed();
        let span = s.source_spans[source].get_or_insert((at, at));
        span.1 = at;
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
        if s.pulled[source] == 1 && !s.first_handled[source] {
            // The first-item hold (see the module documentation).
            s.in_grader += 1;
            // Only while a consumer is free to take the item: with every
            // consumer busy in `handle` (held by the grader, or slow), the
            // first item may rightly wait in the channel.
            let consumers = self.setup.consumers;
            let (mut guard, missed) = self.first_item.wait_while(&self.wake, s, |s| {
                !s.first_handled[source] && s.in_handle < consumers
            });
            guard.in_grader -= 1;
            if missed {
                guard.ahead.get_or_insert(source);
            }
            s = guard;
        }
        let index = s.pulled[source];
        s.pulled[source] += 1;
        s.total_pulled += 1;
        if s.total_pulled == self.setup.total() {
            s.all_pulled_at = Some(self.origin.elapsed());
        }
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
        s.in_grader += 1;
        let (s, missed) = self.drain.wait_while(&self.wake, s, |s| {
            s.completed < s.total_pulled
                || (0..s.exhausted.len()).any(|j| j != source && !s.exhausted[j])
        });
        if missed {
            drop(s);
            self.lock().drain_gave_up = true;
        } else {
            drop(s);
        }
        let mut s = self.lock();
        s.pausing = !missed;
        if self.quiet.gave_up() {
            drop(s);
            thread::sleep(PAUSE);
            s = self.lock();
        } else {
            // The first pause: until a consumer ends (see the module
            // documentation).
            s = self.quiet.wait_while(&self.wake, s, |s| s.quit.is_none()).0;
        }
        s.pausing = false;
        s.in_grader -= 1;
        s
    }

    pub fn handle(this: &Arc<Probe>, item: Item) -> (usize, usize) {
        Probe::register_consumer(this);
        this.handle_item(item)
    }

    /// Notes the calling thread as one that called `handle`, once per probe.
    fn register_consumer(this: &Arc<Probe>) {
        HANDLED_FOR.with(|notes| {
            let mut notes = notes.borrow_mut();
            if !notes.iter().any(|n| n.0.as_ptr() == Arc::as_ptr(this)) {
                notes.push(ConsumerNote(Arc::downgrade(this), thread::current().id()));
            }
        });
    }

    fn handle_item(&self, item: Item) -> (usize, usize) {
        let mut s = self.lock();
        s.handle_threads.insert(thread::current().id());
        s.calls[item.source][item.index] += 1;
        if s.entered == 0 {
            let gone = s.producers_seen > 0 && s.producers_alive == 0;
            s.first_handle_after_producers = Some(gone);
        }
        s.entered += 1;
        s.in_handle += 1;
        s.peak_in_handle = s.peak_in_handle.max(s.in_handle);
        let call = s.spans.len();
        let start = self.origin.elapsed();
        s.spans.push((thread::current().id(), start, None));
        if item.index == 0 {
            s.first_handled[item.source] = true;
        }
        // Wakes the first-item hold: its item arrived, or every consumer
        // is busy now.
        self.wake.notify_all();
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
            Hold::Rendezvous => {
                s.in_grader += 1;
                drop(s);
                let inside = self.together.enter();
                s = self.lock();
                s.in_grader -= 1;
                drop(inside);
            }
        }
        s.in_handle -= 1;
        s.spans[call].2 = Some(self.origin.elapsed());
        s.completed += 1;
        s.touch();
        self.wake.notify_all();
        (item.source, item.index)
    }

    /// Called by the test thread every [`TICK`]: opens the gate when it is
    /// time, and says whether the pipeline is stuck.
    fn tick(&self) -> bool {
        let mut s = self.lock();
        if self.setup.hold == Hold::Gate && !s.gate_open {
            s = self.maybe_open_gate(s);
        }
        s.in_grader == 0 && s.last_progress.elapsed() >= STALL
    }

    fn maybe_open_gate<'a>(&'a self, mut s: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let quiet = s.last_pull.elapsed();
        let open = if s.total_pulled >= self.setup.total() {
            true
        } else if s.at_gate == 0 || quiet < QUIET_MIN {
            false
        } else if let Some(tids) = s.producer_tids.clone() {
            // Look at the producers with the lock released (a producer
            // waiting for it is asleep too, but inside the grader).
            let pulled = s.total_pulled;
            drop(s);
            let asleep = self.pulling.load(Ordering::SeqCst) == 0
                && tids.iter().all(|&t| asleep_or_gone(t) == Some(true));
            s = self.lock();
            let still =
                asleep && s.total_pulled == pulled && self.pulling.load(Ordering::SeqCst) == 0;
            s.asleep_looks = match (still, s.asleep_looks) {
                (false, _) => (pulled, 0),
                (true, (at, looks)) if at == pulled => (pulled, looks + 1),
                (true, _) => (pulled, 1),
            };
            s.asleep_looks.1 >= 2 || quiet >= QUIET_MAX
        } else {
            quiet >= QUIET_ELSEWHERE
        };
        if open {
            s.gate_open = true;
            self.wake.notify_all();
        }
        s
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
            miss: self.together.miss(),
            ahead: s.ahead,
            drain_gave_up: s.drain_gave_up,
            first_handle_after_producers: s.first_handle_after_producers,
            calls_seen: s
                .spans
                .iter()
                .map(|&(thread, start, end)| Call {
                    thread,
                    start,
                    end: end.unwrap_or_else(|| self.origin.elapsed()),
                })
                .collect(),
            source_spans: s.source_spans.clone(),
            all_pulled_at: s.all_pulled_at,
            producers_done_at: s.producers_done_at,
            quit: s.quit,
            ended_at: self.origin.elapsed(),
        }
    }
}

/// How a run ended.
pub enum Ended {
    Returned(Vec<(usize, usize)>),
    /// No progress for [`STALL`].
    Stuck,
}

/// Runs `pipeline` on the probe's sources. `pipeline` runs on a thread of its
/// own (named like the watchdog's, so a panic there reads as the student's),
/// while this one watches the probe for a stall.
#[track_caller]
pub fn run(setup: &Setup) -> (Ended, Report) {
    let setup = setup.clone();
    within(WATCHDOG, hung(), move || {
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
                in_pipeline.lock().pipeline_thread = Some(thread::current().id());
                let outcome = catch_panic(|| {
                    pipeline(sources, consumers, capacity, |item| {
                        Probe::handle(&in_pipeline, item)
                    })
                });
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
