//! The instrumentation: probe handlers that log when they started, finished
//! and were dropped, the test's client that plays a script, and one play of
//! a script against the student's `serve`.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ex12::{serve, ShutdownReport};
use grading::{catch_panic_async, ms, paused, secs, ThreadClock, ThreadTime};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::script::{Script, CLIENTS_LEAVE_MS, GIVE_UP_MS};
use crate::{hung, WATCHDOG};

/// How long the clock runs on after `serve` returned: a handler left running
/// finishes then, and is caught.
pub const AFTERWARDS: Duration = secs(100);
/// Room in the channel: more than any script sends, so sending never waits.
const CAPACITY: usize = 4096;
/// What the handler of a request marked `panics` panics with.
pub const HANDLER_PANIC: &str = "this handler panics on purpose";

#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    /// How many times `handle(id)` was called.
    pub calls: u32,
    /// When the handler was first polled.
    pub started: Option<u64>,
    /// When it ran its last line.
    pub finished: Option<u64>,
    /// Whether its future has been dropped (finished or not).
    pub dropped: bool,
    /// When it was dropped, if tokio's clock could tell (for the picture).
    pub dropped_at: Option<u64>,
}

#[derive(Default)]
struct Logs {
    by_id: HashMap<u64, Log>,
    strangers: Vec<u64>,
}

#[derive(Clone)]
struct Lab {
    t0: Instant,
    /// (needs, panics) by request id.
    plan: Arc<HashMap<u64, (u64, bool)>>,
    logs: Arc<Mutex<Logs>>,
}

/// Lives inside a handler's future: its drop is the future's drop.
struct DropGuard {
    lab: Lab,
    id: u64,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        // The drop may happen while the runtime shuts down: read the clock
        // only inside it (the time is for the picture, never for a verdict).
        let at = tokio::runtime::Handle::try_current()
            .is_ok()
            .then(|| self.lab.now());
        self.lab.update(self.id, |log| {
            log.dropped = true;
            log.dropped_at = at;
        });
    }
}

impl Lab {
    /// Must be called inside the runtime, at the instant that counts as 0.
    fn new(script: &Script) -> Self {
        Lab {
            t0: Instant::now(),
            plan: Arc::new(
                script
                    .requests
                    .iter()
                    .map(|r| (r.id, (r.needs, r.panics)))
                    .collect(),
            ),
            logs: Arc::default(),
        }
    }

    fn now(&self) -> u64 {
        self.t0.elapsed().as_millis() as u64
    }

    fn lock(&self) -> MutexGuard<'_, Logs> {
        self.logs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut Log)) {
        f(self.lock().by_id.entry(id).or_default());
    }

    fn snapshot(&self) -> HashMap<u64, Log> {
        self.lock().by_id.clone()
    }

    /// The handler the student's `serve` gets: `handle(id)`.
    fn handler(&self, id: u64) -> impl Future<Output = ()> + Send + 'static {
        let plan = self.plan.get(&id).copied();
        match plan {
            Some(_) => self.update(id, |log| log.calls += 1),
            None => self.lock().strangers.push(id),
        }
        let guard = DropGuard {
            lab: self.clone(),
            id,
        };
        async move {
            let guard = guard;
            let Some((needs, panics)) = plan else { return };
            let lab = &guard.lab;
            let started = lab.now();
            lab.update(id, |log| {
                log.started.get_or_insert(started);
            });
            tokio::time::sleep(ms(needs)).await;
            let finished = lab.now();
            lab.update(id, |log| log.finished = Some(finished));
            if panics {
                panic!("request {id}: {HANDLER_PANIC} (the test checks what serve does then)");
            }
        }
    }
}

/// The test's client: sends the requests, cancels the token and closes the
/// channel, each at its instant.
async fn client(script: Script, tx: mpsc::Sender<u64>, token: CancellationToken, t0: Instant) {
    // (instant, rank): at the same instant, the shutdown comes first.
    let mut events: Vec<(u64, u8, Option<u64>)> = script
        .requests
        .iter()
        .map(|r| (r.at, 1, Some(r.id)))
        .collect();
    if let Some(s) = script.shutdown {
        events.push((s, 0, None));
    }
    events.sort_by_key(|&(at, rank, _)| (at, rank));
    let mut now = 0;
    for (at, _, what) in events {
        if at > now {
            tokio::time::sleep_until(t0 + ms(at)).await;
            now = at;
        }
        match what {
            // Never waits: the channel has room for every request. An error
            // means serve has closed the channel: the request is refused.
            Some(id) => drop(tx.try_send(id)),
            None => token.cancel(),
        }
    }
    let close = script.close.unwrap_or(CLIENTS_LEAVE_MS);
    tokio::time::sleep_until(t0 + ms(close)).await;
    drop(tx);
}

/// What one run of `serve` did.
pub struct Outcome {
    /// `None` if serve panicked, or had not returned at [`GIVE_UP_MS`].
    pub report: Option<ShutdownReport>,
    /// What serve panicked with, if it did.
    pub panic: Option<Box<dyn Any + Send>>,
    /// When serve returned or panicked (or when the test gave up).
    pub returned: u64,
    /// Where the real time serve took went, on the thread that ran it: a
    /// few milliseconds of work, unless it blocked (asleep), spun (on a
    /// core), or the machine was busy (waiting for a core).
    pub thread: ThreadTime,
    pub at_return: HashMap<u64, Log>,
    pub afterwards: HashMap<u64, Log>,
    /// Ids serve called `handle` with that the test never sent.
    pub strangers: Vec<u64>,
}

impl Outcome {
    pub fn at_return(&self, id: u64) -> Log {
        self.at_return.get(&id).copied().unwrap_or_default()
    }

    pub fn afterwards(&self, id: u64) -> Log {
        self.afterwards.get(&id).copied().unwrap_or_default()
    }
}

/// Plays `script` against `serve`, inside a paused runtime.
pub async fn play(script: &Script) -> Outcome {
    let lab = Lab::new(script);
    let (tx, rx) = mpsc::channel(CAPACITY);
    let token = CancellationToken::new();
    let client = tokio::spawn(client(script.clone(), tx, token.clone(), lab.t0));
    let handle = {
        let lab = lab.clone();
        move |id| lab.handler(id)
    };
    let serving = serve(rx, handle, token, ms(script.grace));
    let give_up = tokio::time::timeout_at(lab.t0 + ms(GIVE_UP_MS), serving);
    let clock = ThreadClock::start();
    let ended = catch_panic_async(give_up).await;
    let thread = clock.elapsed();
    let returned = lab.now();
    let at_return = lab.snapshot();
    // Let the clock run on: a handler left running finishes now.
    tokio::time::sleep(AFTERWARDS).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    client.abort();
    let strangers = lab.lock().strangers.clone();
    let (report, panic) = match ended {
        Ok(report) => (report.ok(), None),
        Err(payload) => (None, Some(payload)),
    };
    Outcome {
        report,
        panic,
        returned,
        thread,
        at_return,
        afterwards: lab.snapshot(),
        strangers,
    }
}

/// Plays `script` once, under the watchdog.
#[track_caller]
pub fn run(script: &Script) -> Outcome {
    let script = script.clone();
    paused(WATCHDOG, hung(), move || async move { play(&script).await })
}
