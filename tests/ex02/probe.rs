//! The instrumentation: probe ops that log what happens to them, and the
//! runs of the student's two functions over them.
//!
//! Everything runs on tokio's paused clock: a "100 s" wait costs microseconds
//! of real time and every instant is exact. Each call is raced against an
//! hour of tokio time (for `all_within`, an hour more than its ops take one
//! after another: see `stuck_after`), so a call that waits for an op that
//! never finishes is seen at once (the clock jumps there when nothing is left
//! to run); the real-time watchdog only catches code that blocks the thread
//! or spins. Each op logs when it started, finished and was dropped.
//! After each call the clock runs on for 100 s more: a late op left running
//! would finish then, and is caught.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ex02::{all_within, with_timeout, TimedOut};
use grading::{ms, paused, secs, Cause, Diagnosis};
use tokio::time::Instant;

/// Real time any test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds (the 10 000-op test: a few hundred).
pub const WATCHDOG: Duration = secs(1);
pub const WATCHDOG_10K: Duration = secs(8);
/// How long the clock runs on after the student's code returned.
pub const AFTERWARDS: Duration = secs(100);
/// Tokio time after which a call of `with_timeout` still pending is
/// declared stuck (for `all_within`, see `stuck_after`).
pub const HOUR: Duration = secs(3600);
/// A delay meaning "this op never finishes".
pub const NEVER: u64 = u64::MAX;

/// Tokio time after which a call of `all_within` still pending is declared
/// stuck: an hour more than its ops take one after another, each cut off at
/// the deadline. So code that merely runs them in turn (10 000 of them take
/// hours) is seen returning, and judged on what it did, rather than taken
/// for code that waits for something that never happens.
pub fn stuck_after(delays_ms: &[u64], deadline: Duration) -> Duration {
    let in_turn: Duration = delays_ms
        .iter()
        .map(|&d| {
            if d == NEVER {
                deadline
            } else {
                ms(d).min(deadline)
            }
        })
        .sum();
    in_turn + HOUR
}

const BLOCKED: &str = "Likely causes, most likely first:\n\
    1. a blocking call such as `std::thread::sleep`, or `block_on` inside async code: under \
    the paused clock tokio's timers cost no real time, so only something that blocks the \
    thread takes this long;\n\
    2. an infinite loop or a busy-wait that never awaits (a loop that polls the ops or the \
    clock, or only calls `yield_now()`: tokio's paused clock moves only while every task \
    waits).";
const TRY_UNBLOCKED: &str = "let tokio do every wait: `tokio::time::timeout` / `timeout_at` \
    around the ops, and `.await` them.";

/// What op `i` returns when it finishes.
pub fn value(i: usize) -> u32 {
    100 + i as u32
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    /// Tokio time of the first poll.
    pub started: Option<Duration>,
    /// Tokio time at which the op ran its last line.
    pub finished: Option<Duration>,
    /// Whether the op (the future) has been dropped, completed or not.
    pub dropped: bool,
    /// Tokio time of the drop, when it happened inside the runtime (an op
    /// dropped unfinished ran until then; the picture draws it so).
    pub dropped_at: Option<Duration>,
}

#[derive(Clone)]
struct Lab {
    t0: Instant,
    logs: Arc<Mutex<Vec<Log>>>,
}

/// Lives inside an op from its creation: its drop is the op's drop.
struct DropGuard {
    lab: Lab,
    i: usize,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        // Tokio's clock is read only inside the runtime: a drop while the
        // runtime shuts down (after the grader stopped looking) has no
        // tokio time, and is recorded without one.
        let at = tokio::runtime::Handle::try_current()
            .is_ok()
            .then(|| self.lab.now());
        self.lab.update(self.i, |log| {
            log.dropped = true;
            log.dropped_at = at;
        });
    }
}

impl Lab {
    /// Must be called inside the runtime, at the moment that counts as 0.
    fn new(n: usize) -> Self {
        Lab {
            t0: Instant::now(),
            logs: Arc::new(Mutex::new(vec![Log::default(); n])),
        }
    }

    fn now(&self) -> Duration {
        self.t0.elapsed()
    }

    fn update(&self, i: usize, f: impl FnOnce(&mut Log)) {
        f(&mut self.logs.lock().unwrap_or_else(PoisonError::into_inner)[i]);
    }

    fn snapshot(&self) -> Vec<Log> {
        self.logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Op `i`: waits `delay_ms` (or forever, for `NEVER`), then returns `value(i)`.
    fn op(&self, i: usize, delay_ms: u64) -> impl Future<Output = u32> + Send + 'static {
        let guard = DropGuard {
            lab: self.clone(),
            i,
        };
        async move {
            // Rebound so that the block owns the whole guard (edition 2021
            // would capture only the fields it uses, dropping the guard, and
            // recording a drop, before the op even starts).
            let guard = guard;
            let lab = &guard.lab;
            let started = lab.now();
            lab.update(i, |log| log.started = Some(started));
            if delay_ms == NEVER {
                std::future::pending::<()>().await;
            } else {
                tokio::time::sleep(ms(delay_ms)).await;
            }
            let finished = lab.now();
            lab.update(i, |log| log.finished = Some(finished));
            value(i)
        }
    }
}

/// Lets the clock run on, so that ops left running get their chance to finish.
async fn let_the_clock_run_on() {
    tokio::time::sleep(AFTERWARDS).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

/// One call of `with_timeout`, and what happened to its op.
pub struct Single {
    pub delay_ms: u64,
    pub limit: Duration,
    /// `None`: still pending after an hour of tokio time.
    pub got: Option<Result<u32, TimedOut>>,
    pub returned: Duration,
    pub at_return: Log,
    pub afterwards: Log,
}

/// `with_timeout(op of delay_ms, limit)`.
#[track_caller]
pub fn run_one(delay_ms: u64, limit: Duration) -> Single {
    let on_timeout = Diagnosis::new(format!("with_timeout did not return. {BLOCKED}"))
        .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
        .advice(TRY_UNBLOCKED);
    paused(WATCHDOG, on_timeout, move || async move {
        let lab = Lab::new(1);
        let got = tokio::time::timeout(HOUR, with_timeout(lab.op(0, delay_ms), limit)).await;
        let returned = lab.now();
        let at_return = lab.snapshot()[0];
        let_the_clock_run_on().await;
        Single {
            delay_ms,
            limit,
            got: got.ok(),
            returned,
            at_return,
            afterwards: lab.snapshot()[0],
        }
    })
}

/// One call of `all_within`, and what happened to each op.
pub struct Report {
    pub delays: Vec<u64>,
    pub deadline: Duration,
    /// When the call was declared stuck (see `stuck_after`).
    pub stuck_after: Duration,
    /// `None`: still pending after `stuck_after` of tokio time.
    pub got: Option<Vec<Option<u32>>>,
    pub returned: Duration,
    pub real: Duration,
    pub at_return: Vec<Log>,
    pub afterwards: Vec<Log>,
}

/// `all_within(ops of delays_ms, deadline)`.
#[track_caller]
pub fn run_all(delays_ms: &[u64], deadline: Duration, watchdog: Duration) -> Report {
    let delays = delays_ms.to_vec();
    let on_timeout = Diagnosis::new(format!("all_within did not return. {BLOCKED}"))
        .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
        .advice(TRY_UNBLOCKED);
    let limit = stuck_after(delays_ms, deadline);
    paused(watchdog, on_timeout, move || async move {
        let lab = Lab::new(delays.len());
        let ops: Vec<_> = delays
            .iter()
            .enumerate()
            .map(|(i, &d)| lab.op(i, d))
            .collect();
        let real_start = std::time::Instant::now();
        let got = tokio::time::timeout(limit, all_within(ops, deadline)).await;
        let returned = lab.now();
        let real = real_start.elapsed();
        let at_return = lab.snapshot();
        let_the_clock_run_on().await;
        Report {
            delays,
            deadline,
            stuck_after: limit,
            got: got.ok(),
            returned,
            real,
            at_return,
            afterwards: lab.snapshot(),
        }
    })
}

/// The real time the grader's own `all_within` (one `timeout_at` per op,
/// all in one `join_all`) takes for the same ops, on this machine, now: the
/// calibration a real-time bound needs to hold on a busy machine.
pub fn calibrate(delays_ms: &[u64], deadline: Duration, watchdog: Duration) -> Duration {
    let delays = delays_ms.to_vec();
    paused(
        watchdog,
        "the grader's own all_within did not return (is the machine overloaded?)",
        move || async move {
            let lab = Lab::new(delays.len());
            let ops: Vec<_> = delays
                .iter()
                .enumerate()
                .map(|(i, &d)| lab.op(i, d))
                .collect();
            let real_start = std::time::Instant::now();
            let until = Instant::now() + deadline;
            let timed = ops.into_iter().map(|op| tokio::time::timeout_at(until, op));
            let _ = futures::future::join_all(timed).await;
            real_start.elapsed()
        },
    )
}
