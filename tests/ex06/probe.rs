//! The instrumentation: a counter that watches the threads calling it, and
//! the stress harness that runs the student's `Counter` and `Bank` on many
//! threads at once.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Barrier, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ex06::Count;
use grading::{catch_panic, ms, payload_text, preempt_often, secs, Miss, Rendezvous};

use crate::WATCHDOG;

/// How long the probe waits for what a correct `count_with_threads` does at
/// once: every thread at the meeting point, or the caller waiting for its
/// threads. A correct solution needs microseconds; a wrong one costs this
/// once per test.
pub const PATIENCE: Duration = secs(1);

// ---------------------------------------------------------------------------
// The watching counter.

/// The thread that called `count_with_threads`: its id, and (on Linux) where
/// the kernel shows its state.
struct Caller {
    id: ThreadId,
    stat: Option<PathBuf>,
}

impl Caller {
    fn here() -> Caller {
        // `/proc/thread-self` links to `<pid>/task/<tid>`: this very thread.
        let stat = std::fs::read_link("/proc/thread-self")
            .ok()
            .map(|task| PathBuf::from("/proc").join(task).join("stat"));
        Caller {
            id: thread::current().id(),
            stat,
        }
    }

    /// Whether the kernel shows the thread asleep (`S`): blocked in a wait,
    /// e.g. joining its threads. `None` where this cannot be seen.
    fn asleep(&self) -> Option<bool> {
        let text = std::fs::read_to_string(self.stat.as_ref()?).ok()?;
        // "tid (name) S ...": the name may hold spaces and parentheses.
        let state = text.rsplit_once(')')?.1.trim_start().chars().next()?;
        Some(state == 'S')
    }
}

/// What the watching counter saw.
#[derive(Default)]
struct State {
    /// Increments made by each thread, in the order the threads first came.
    by_thread: Vec<(ThreadId, u64)>,
    /// For each call of `get`: the increments finished at that moment.
    reads: Vec<u64>,
    /// For the picture, since the probe was made: each thread's first
    /// increment's start and last increment's end (same order as
    /// `by_thread`), and when `get` was called.
    spans: Vec<(Duration, Duration)>,
    reads_at: Vec<Duration>,
}

/// A [`Count`] that notes which threads increment it and when it is read.
///
/// With [`Hold::FirstIncrements`], each thread's first increment waits at a
/// [`Rendezvous`] until `threads` threads are there at once: the proof that
/// they overlap. With [`Hold::LastIncrement`], the last increment the test expects waits until the
/// caller of `count_with_threads` is asleep waiting for its threads, or has
/// read the count: a count read too early is then read early every run, not
/// only when the caller happens to be slow.
pub struct CountProbe {
    expected: u64,
    meeting: Option<Rendezvous>,
    hold_last: bool,
    caller: Caller,
    /// Increments begun, and increments finished.
    begun: AtomicU64,
    finished: AtomicU64,
    state: Mutex<State>,
    read: Condvar,
    /// Where the picture's clock starts.
    origin: Instant,
}

/// What a [`CountProbe`] saw, once `count_with_threads` has returned.
pub struct Counted {
    pub threads: usize,
    pub per_thread: u64,
    pub returned: u64,
    /// Increments made in all.
    pub made: u64,
    pub by_thread: Vec<u64>,
    /// Whether the calling thread made some of them.
    pub caller_counted: bool,
    /// For each `get`: the increments finished when it was called.
    pub reads: Vec<u64>,
    /// Most threads seen at the meeting point at once, and the miss.
    pub peak: usize,
    pub miss: Option<Miss>,
    /// Each thread's first increment's start and last increment's end, and
    /// when `get` was called, since the probe was made; when it returned.
    pub spans: Vec<(Duration, Duration)>,
    pub reads_at: Vec<Duration>,
    pub ended_at: Duration,
}

impl CountProbe {
    fn new(threads: usize, per_thread: u64, hold: Hold) -> CountProbe {
        CountProbe {
            expected: threads as u64 * per_thread,
            meeting: (hold == Hold::FirstIncrements).then(|| Rendezvous::new(threads, PATIENCE)),
            hold_last: hold == Hold::LastIncrement,
            caller: Caller::here(),
            begun: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            read: Condvar::new(),
            origin: Instant::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Holds the calling thread until the caller of `count_with_threads` is
    /// seen asleep for a millisecond on end (waiting for its threads), or has
    /// read the count, or [`PATIENCE`] has passed.
    fn hold(&self) {
        if thread::current().id() == self.caller.id || self.caller.stat.is_none() {
            return;
        }
        let start = Instant::now();
        let mut asleep_since: Option<Instant> = None;
        let mut state = self.lock();
        while state.reads.is_empty() && start.elapsed() < PATIENCE {
            match self.caller.asleep() {
                Some(true) => {
                    let since = *asleep_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= ms(1) {
                        return;
                    }
                }
                Some(false) => asleep_since = None,
                None => return,
            }
            state = self
                .read
                .wait_timeout(state, Duration::from_micros(200))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn report(self, threads: usize, per_thread: u64, returned: u64) -> Counted {
        let caller = self.caller.id;
        let ended_at = self.origin.elapsed();
        let (peak, miss) = self
            .meeting
            .as_ref()
            .map_or((threads, None), |m| (m.peak(), m.miss()));
        let state = self
            .state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Counted {
            threads,
            per_thread,
            returned,
            made: self.finished.into_inner(),
            by_thread: state.by_thread.iter().map(|&(_, n)| n).collect(),
            caller_counted: state.by_thread.iter().any(|&(id, _)| id == caller),
            reads: state.reads,
            peak,
            miss,
            spans: state.spans,
            reads_at: state.reads_at,
            ended_at,
        }
    }
}

impl Count for CountProbe {
    fn increment(&self) {
        let me = thread::current().id();
        let (first, lane) = {
            let mut state = self.lock();
            match state.by_thread.iter().position(|(id, _)| *id == me) {
                Some(lane) => {
                    state.by_thread[lane].1 += 1;
                    (false, lane)
                }
                None => {
                    state.by_thread.push((me, 1));
                    let now = self.origin.elapsed();
                    state.spans.push((now, now));
                    (true, state.spans.len() - 1)
                }
            }
        };
        if first {
            if let Some(meeting) = &self.meeting {
                drop(meeting.enter());
            }
        }
        let begun = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        if self.hold_last && begun == self.expected {
            self.hold();
        }
        self.finished.fetch_add(1, Ordering::SeqCst);
        let now = self.origin.elapsed();
        self.lock().spans[lane].1 = now;
    }

    fn get(&self) -> u64 {
        let finished = self.finished.load(Ordering::SeqCst);
        let mut state = self.lock();
        state.reads.push(finished);
        state.reads_at.push(self.origin.elapsed());
        drop(state);
        self.read.notify_all();
        finished
    }
}

/// What a [`CountProbe`] holds back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Each thread's first increment, until all the threads are there.
    FirstIncrements,
    /// The last increment, until the caller waits for its threads or reads.
    LastIncrement,
}

/// `count_with_threads(&probe, threads, per_thread)` under the watchdog.
#[track_caller]
pub fn count_on_probe(threads: usize, per_thread: u64, hold: Hold) -> Counted {
    grading::within(WATCHDOG, crate::judge::COUNTING_HUNG, move || {
        let probe = CountProbe::new(threads, per_thread, hold);
        let returned = ex06::count_with_threads(&probe, threads, per_thread);
        probe.report(threads, per_thread, returned)
    })
}

// ---------------------------------------------------------------------------
// The stress harness.

/// Runs `work(0)`, ..., `work(n - 1)` on `n` threads, started together
/// (each waits at a barrier until all are ready) and each interrupted often
/// at arbitrary points (`grading::preempt_often`), and returns their results
/// in that order. If any of them panicked, returns the most telling panic
/// message instead: a panic while holding a lock poisons it, and the other
/// threads' `lock().unwrap()` then panic too, which says nothing about the
/// cause.
pub fn run_workers<R: Send>(n: usize, work: impl Fn(usize) -> R + Sync) -> Result<Vec<R>, String> {
    let gate = Barrier::new(n);
    let outcomes: Vec<Result<R, String>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (work, gate) = (&work, &gate);
                thread::Builder::new()
                    // The grading crate's panic hook credits panics on threads
                    // of this name to the student's code.
                    .name("graded-work".into())
                    .spawn_scoped(scope, move || {
                        let _preempted = preempt_often(WATCHDOG);
                        gate.wait();
                        catching(|| work(i))
                    })
                    .expect("the grader could not start a thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|p| Err(payload_text(p.as_ref()).into()))
            })
            .collect()
    });
    let mut results = Vec::new();
    let mut panics = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(result) => results.push(result),
            Err(text) => panics.push(text),
        }
    }
    if panics.is_empty() {
        return Ok(results);
    }
    let telling = panics
        .iter()
        .find(|t| t.contains("overflow"))
        .or_else(|| panics.iter().find(|t| !t.contains("PoisonError")))
        .unwrap_or(&panics[0]);
    Err(telling.clone())
}

/// Calls `f` (the student's code), turning a panic into its message: after a
/// panic while holding a lock, even `balance` may panic on the poisoned lock.
pub fn catching<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_panic(f).map_err(|payload| payload_text(payload.as_ref()).to_string())
}

/// Counts down when dropped, even by a panic: "one worker fewer is busy".
pub struct Leaving<'a>(pub &'a AtomicUsize);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A tiny random number generator (xorshift64*): a different, repeatable
/// sequence for each worker.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
    }
}

/// The balances of accounts `0..n` (`None` for a missing one).
pub fn balances(bank: &ex06::Bank, n: usize) -> Vec<Option<u64>> {
    (0..n).map(|i| bank.balance(i)).collect()
}
