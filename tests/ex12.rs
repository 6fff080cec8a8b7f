//! Graded suite for exercise 12 (cancellation and graceful shutdown).
//!
//! Every test plays a small scripted timeline on tokio's paused clock, where
//! every instant is exact and a "1 h" wait costs microseconds: a client task
//! sends request ids at given instants, the test cancels the token at a given
//! instant (like a signal handler would), and the channel stays open until
//! the script closes it, or until "the clients leave" an hour later.
//!
//! The handlers are probes: each logs when it started and finished and when
//! its future was dropped (a guard lives inside it). After `serve` returns,
//! the clock runs on for 100 s more, so a handler left running would finish
//! then, and is caught. A failure therefore says *why*: a request started
//! late, after the shutdown, was abandoned too early, kept running...

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ex12::{serve, ShutdownReport};
use grading::{check, fail, paused};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Real time a test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds (the 20-round test: a few dozen).
const WATCHDOG: Duration = Duration::from_secs(3);
/// Slack for tokio's 1 ms timer resolution.
const SLACK_MS: u64 = 5;
/// When the test's client closes the channel if the script does not: "the
/// clients leave" after an hour, so a `serve` that ignores the shutdown
/// returns then, with a precise diagnosis, instead of hanging.
const CLIENTS_LEAVE_MS: u64 = 3_600_000;
/// When the test stops waiting for `serve` (on the paused clock: costs no
/// real time), so that a `serve` stuck for good gets a precise diagnosis.
const GIVE_UP_MS: u64 = 2 * CLIENTS_LEAVE_MS;
/// How long the clock runs on after `serve` returned.
const AFTERWARDS: Duration = Duration::from_secs(100);
/// Room in the channel: more than any script sends, so sending never waits.
const CAPACITY: usize = 4096;

const HUNG: &str = "serve did not return, and tokio's paused clock could not move on: \
    something blocks the thread or spins. (Waiting in tokio costs no real time here: a serve that \
    merely waits for ever is stopped at 2 h of tokio time with a diagnosis.)\n\
    Try: let tokio do the waiting: `tokio::select!` on `shutdown.cancelled()` and \
    `requests.recv()`, `join_next().await`, `tokio::time::timeout`. No `std::thread::sleep`, no \
    `blocking_recv`, no loop that polls `try_recv()` or `is_cancelled()` (even with \
    `yield_now()`: a runtime that is never idle never lets the paused clock move).";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `0 s`, `5 s`, `6.5 s`, `1.234 s`, `500 ms`, `1 h`.
fn show(ms: u64) -> String {
    match ms {
        0 => "0 s".to_string(),
        CLIENTS_LEAVE_MS => "1 h".to_string(),
        GIVE_UP_MS => "2 h".to_string(),
        _ if ms.is_multiple_of(1000) => format!("{} s", ms / 1000),
        _ if ms.is_multiple_of(100) => format!("{:.1} s", ms as f64 / 1000.0),
        _ if ms >= 1000 => format!("{:.3} s", ms as f64 / 1000.0),
        _ => format!("{ms} ms"),
    }
}

fn show_d(d: Duration) -> String {
    show(d.as_millis() as u64)
}

/// "request 3", "requests 1 and 2", "requests 1, 2, 3, 4, 5, … (50 in all)".
fn who(ids: &[u64]) -> String {
    const SHOWN: usize = 5;
    match ids {
        [] => "no request".to_string(),
        [one] => format!("request {one}"),
        _ if ids.len() > SHOWN => {
            let head: Vec<String> = ids[..SHOWN].iter().map(u64::to_string).collect();
            format!("requests {}, … ({} in all)", head.join(", "), ids.len())
        }
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(u64::to_string).collect();
            format!("requests {} and {last}", rest.join(", "))
        }
    }
}

/// A list of ids as the messages show it: `[1, 2, 3]`, cut short.
fn list(ids: &[u64]) -> String {
    const SHOWN: usize = 8;
    if ids.len() <= SHOWN {
        return format!("{ids:?}");
    }
    let head: Vec<String> = ids[..SHOWN].iter().map(u64::to_string).collect();
    format!("[{}, …] ({} ids)", head.join(", "), ids.len())
}

fn was(n: usize) -> &'static str {
    if n == 1 {
        "was"
    } else {
        "were"
    }
}

// ---------------------------------------------------------------------------
// The script: what the test's client does, and when.

#[derive(Clone, Copy, Debug)]
struct Request {
    id: u64,
    /// When the client sends it.
    at: u64,
    /// How long its handler runs, once started.
    needs: u64,
}

fn req(id: u64, at: u64, needs: u64) -> Request {
    Request { id, at, needs }
}

#[derive(Clone, Debug)]
struct Script {
    requests: Vec<Request>,
    /// When the test cancels the token. Requests sent at that very instant
    /// are sent right after it.
    shutdown: Option<u64>,
    /// When the client drops its Sender (after any send at that instant);
    /// otherwise it keeps it until [`CLIENTS_LEAVE_MS`].
    close: Option<u64>,
    grace: u64,
    /// Replaces the list of requests in messages (for long scripts).
    summary: Option<&'static str>,
}

/// What should become of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// Runs to its end, at this instant.
    Completes(u64),
    /// Still running when the grace period ends: aborted then.
    Abandoned,
    /// Sent after the shutdown: never started.
    NotStarted,
}

impl Script {
    fn with_shutdown(requests: Vec<Request>, shutdown: u64, grace: u64) -> Self {
        Script {
            requests,
            shutdown: Some(shutdown),
            close: None,
            grace,
            summary: None,
        }
        .checked()
    }

    fn with_close(requests: Vec<Request>, close: u64) -> Self {
        Script {
            requests,
            shutdown: None,
            close: Some(close),
            grace: 1000,
            summary: None,
        }
        .checked()
    }

    /// Keeps the scripts away from instants where the verdict would depend on
    /// which of two simultaneous timers tokio handles first.
    fn checked(self) -> Self {
        if let Some(end) = self.grace_ends() {
            for r in self.requests.iter().filter(|r| Some(r.at) < self.shutdown) {
                let finish = r.at + r.needs;
                assert!(
                    finish.abs_diff(end) >= SLACK_MS && Some(finish) != self.shutdown,
                    "the grader's script is ambiguous at request {}",
                    r.id
                );
            }
        }
        if let Some(close) = self.close {
            assert!(self.requests.iter().all(|r| r.at <= close));
        }
        self
    }

    fn grace_ends(&self) -> Option<u64> {
        self.shutdown.map(|s| s + self.grace)
    }

    fn fate(&self, r: &Request) -> Fate {
        let finish = r.at + r.needs;
        match self.shutdown {
            Some(s) if r.at >= s => Fate::NotStarted,
            Some(s) if finish > s + self.grace => Fate::Abandoned,
            _ => Fate::Completes(finish),
        }
    }

    /// When `serve` should return.
    fn returns_at(&self) -> u64 {
        let last_in_flight = |limit: u64| {
            self.requests
                .iter()
                .filter(|r| self.fate(r) != Fate::NotStarted)
                .map(|r| (r.at + r.needs).min(limit))
                .max()
                .unwrap_or(0)
        };
        match (self.shutdown, self.close) {
            (Some(s), _) => s.max(last_in_flight(s + self.grace)),
            (None, Some(c)) => c.max(last_in_flight(u64::MAX)),
            (None, None) => unreachable!("every script ends with a shutdown or a close"),
        }
    }

    fn ids_where(&self, keep: impl Fn(Fate) -> bool) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .requests
            .iter()
            .filter(|r| keep(self.fate(r)))
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    fn want(&self) -> ShutdownReport {
        ShutdownReport {
            completed: self.ids_where(|f| matches!(f, Fate::Completes(_))),
            abandoned: self.ids_where(|f| f == Fate::Abandoned),
        }
    }

    /// "shutdown at 5 s with 2 s of grace".
    fn situation(&self) -> String {
        match (self.shutdown, self.close) {
            (Some(s), _) => format!("shutdown at {} with {} of grace", show(s), show(self.grace)),
            (None, Some(c)) => format!("no shutdown, channel closed at {}", show(c)),
            (None, None) => unreachable!("every script ends with a shutdown or a close"),
        }
    }

    /// The whole timeline, for the end of a message.
    fn timeline(&self) -> String {
        let mut text = String::from("(The test's timeline: ");
        if let Some(summary) = self.summary {
            text.push_str(summary);
        } else if self.requests.is_empty() {
            text.push_str("no request");
        } else {
            let parts: Vec<String> = self
                .requests
                .iter()
                .map(|r| {
                    format!(
                        "request {} arrives at {} and needs {}",
                        r.id,
                        show(r.at),
                        show(r.needs)
                    )
                })
                .collect();
            text.push_str(&parts.join("; "));
        }
        let _ = write!(text, "; {}", self.situation());
        if self.close.is_none() {
            text.push_str("; the client keeps its Sender open until 1 h");
        }
        text.push_str(".)");
        text
    }
}

// ---------------------------------------------------------------------------
// The probe handlers.

#[derive(Debug, Clone, Copy, Default)]
struct Log {
    /// How many times `handle(id)` was called.
    calls: u32,
    /// When the handler was first polled.
    started: Option<u64>,
    /// When it ran its last line.
    finished: Option<u64>,
    /// Whether its future has been dropped (finished or not).
    dropped: bool,
}

#[derive(Default)]
struct Logs {
    by_id: HashMap<u64, Log>,
    strangers: Vec<u64>,
}

#[derive(Clone)]
struct Lab {
    t0: Instant,
    needs: Arc<HashMap<u64, u64>>,
    logs: Arc<Mutex<Logs>>,
}

/// Lives inside a handler's future: its drop is the future's drop.
struct DropGuard {
    lab: Lab,
    id: u64,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        // No clock here: the drop may happen while the runtime shuts down.
        self.lab.update(self.id, |log| log.dropped = true);
    }
}

impl Lab {
    /// Must be called inside the runtime, at the instant that counts as 0.
    fn new(script: &Script) -> Self {
        Lab {
            t0: Instant::now(),
            needs: Arc::new(script.requests.iter().map(|r| (r.id, r.needs)).collect()),
            logs: Arc::default(),
        }
    }

    fn now(&self) -> u64 {
        self.t0.elapsed().as_millis() as u64
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Logs> {
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
        let needs = self.needs.get(&id).copied();
        match needs {
            Some(_) => self.update(id, |log| log.calls += 1),
            None => self.lock().strangers.push(id),
        }
        let guard = DropGuard {
            lab: self.clone(),
            id,
        };
        async move {
            let guard = guard;
            let Some(needs) = needs else { return };
            let lab = &guard.lab;
            let started = lab.now();
            lab.update(id, |log| {
                log.started.get_or_insert(started);
            });
            tokio::time::sleep(ms(needs)).await;
            let finished = lab.now();
            lab.update(id, |log| log.finished = Some(finished));
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
struct Outcome {
    /// `None` if serve had not returned at [`GIVE_UP_MS`].
    report: Option<ShutdownReport>,
    /// When serve returned (or when the test gave up).
    returned: u64,
    at_return: HashMap<u64, Log>,
    afterwards: HashMap<u64, Log>,
    strangers: Vec<u64>,
}

impl Outcome {
    fn at_return(&self, id: u64) -> Log {
        self.at_return.get(&id).copied().unwrap_or_default()
    }

    fn afterwards(&self, id: u64) -> Log {
        self.afterwards.get(&id).copied().unwrap_or_default()
    }
}

/// Plays `script` against `serve`, inside a paused runtime.
async fn play(script: &Script) -> Outcome {
    let lab = Lab::new(script);
    let (tx, rx) = mpsc::channel(CAPACITY);
    let token = CancellationToken::new();
    let client = tokio::spawn(client(script.clone(), tx, token.clone(), lab.t0));
    let handle = {
        let lab = lab.clone();
        move |id| lab.handler(id)
    };
    let serving = serve(rx, handle, token, ms(script.grace));
    let report = tokio::time::timeout_at(lab.t0 + ms(GIVE_UP_MS), serving)
        .await
        .ok();
    let returned = lab.now();
    let at_return = lab.snapshot();
    // Let the clock run on: a handler left running finishes now.
    tokio::time::sleep(AFTERWARDS).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    client.abort();
    let strangers = lab.lock().strangers.clone();
    Outcome {
        report,
        returned,
        at_return,
        afterwards: lab.snapshot(),
        strangers,
    }
}

#[track_caller]
fn run(script: &Script) -> Outcome {
    let script = script.clone();
    paused(WATCHDOG, HUNG, move || async move { play(&script).await })
}

// ---------------------------------------------------------------------------
// The judge: checks the whole contract, most telling diagnosis first.

fn judge(script: &Script, o: &Outcome) {
    let ctx = script.situation();
    let timeline = script.timeline();

    // 0. Was every request handled once, and only the test's requests?
    if let Some(&id) = o.strangers.first() {
        fail!(
            "serve called handle({id}), but the test never sent a request {id}.\n{timeline}";
            try = "call `handle` with the ids that come out of `requests.recv()`, once each."
        );
    }
    let mut twice: Vec<u64> = o
        .afterwards
        .iter()
        .filter(|(_, log)| log.calls > 1)
        .map(|(&id, _)| id)
        .collect();
    twice.sort_unstable();
    if let Some(&id) = twice.first() {
        fail!(
            "serve called handle({id}) {} times: every request must be handled exactly once.\n\
             {timeline}",
            o.afterwards(id).calls;
            try = "call `handle(id)` once per id received, and spawn that future."
        );
    }

    // 1. Did every request that came in time start when it arrived?
    let mut in_time: Vec<Request> = script
        .requests
        .iter()
        .filter(|r| script.fate(r) != Fate::NotStarted)
        .copied()
        .collect();
    in_time.sort_by_key(|r| (r.at, r.id));
    for r in &in_time {
        let arrived = show(r.at);
        match o.afterwards(r.id).started {
            None => fail!(
                "request {} arrived at {arrived} ({ctx}), but its handler never ran (it was \
                 never called, or its future never polled).\n{timeline}",
                r.id;
                try = "start each request as soon as its id comes out of `requests.recv()`: \
                       `set.spawn(handle(id))` on a `tokio::task::JoinSet`."
            ),
            Some(started) if started > r.at + SLACK_MS => {
                let waited_for = in_time.iter().find(|other| {
                    other.id != r.id
                        && o.afterwards(other.id)
                            .finished
                            .is_some_and(|f| f.abs_diff(started) <= SLACK_MS)
                });
                if let Some(other) = waited_for {
                    fail!(
                        "request {} arrived at {arrived} but its handler started only at {}, \
                         when request {} finished: serve took the next request only after the \
                         previous one was done, so the requests ran one after another.\n\
                         {timeline}",
                        r.id,
                        show(started),
                        other.id;
                        try = "don't `.await` a request inside the receiving loop: spawn each \
                               one as a task of its own (`set.spawn(handle(id))` on a \
                               `JoinSet`) and go straight back to `requests.recv()`."
                    );
                }
                fail!(
                    "request {} arrived at {arrived} but its handler started only at {}: \
                     serve did not take it when it came.\n{timeline}",
                    r.id,
                    show(started);
                    try = "wait for the next request and for the shutdown at the same time \
                           (`tokio::select!`), and spawn each request as soon as it comes."
                );
            }
            Some(_) => {}
        }
    }

    // 2. Were the requests sent after the shutdown left alone?
    let mut late: Vec<Request> = script
        .requests
        .iter()
        .filter(|r| script.fate(r) == Fate::NotStarted && o.afterwards(r.id).started.is_some())
        .copied()
        .collect();
    late.sort_by_key(|r| (r.at, r.id));
    if let Some(first) = late.first() {
        let s = script.shutdown.unwrap_or_default();
        let ids: Vec<u64> = late.iter().map(|r| r.id).collect();
        let when = if first.at == s {
            "was queued in the channel at the very moment of the shutdown".to_string()
        } else {
            format!("arrived at {}, during the grace period", show(first.at))
        };
        let how = if late.iter().all(|r| r.at == s) {
            "Either select! picked the queued request rather than the shutdown (without \
             `biased;` it tries its branches in random order), or serve emptied the channel \
             after the shutdown."
        } else {
            "serve kept taking requests after the shutdown."
        };
        fail!(
            "{ctx}: {} arrived after the shutdown and {} started anyway ({} {when}). {how} A \
             shutdown means no new work: a request still queued, or one that comes during the \
             grace period, is never started.\n{timeline}",
            who(&ids),
            was(ids.len()),
            who(&ids[..1]);
            try = "leave the receiving loop as soon as `shutdown.cancelled()` is ready, and make \
                   that the first branch of a `biased;` select!, so that it wins over a queued \
                   request; after it, only wait for the running requests (and drop `requests`)."
        );
    }

    // 3. Did serve return at the right moment?
    let want = script.returns_at();
    let Some(got_report) = &o.report else {
        match script.shutdown {
            None => fail!(
                "{ctx}: serve had not returned at 2 h, long after the channel closed and every \
                 request was done (at {}). It waits for something that never happens: with the \
                 channel closed no request will ever come, and no shutdown may ever come \
                 either. (A `Some(id) = requests.recv()` branch of select! is simply switched \
                 off once the channel is closed; the select! then waits for its other \
                 branches.)\n{timeline}",
                show(want);
                try = "when `requests.recv()` gives `None`, leave the loop (`request = \
                       requests.recv() => match request {{ Some(id) => ..., None => break }}`), \
                       wait for the running requests, then return."
            ),
            Some(_) => fail!(
                "{ctx}: serve had not returned at 2 h, although the test closed the channel at \
                 1 h. It waits for something that never happens.\n{timeline}";
                try = "after the shutdown, wait at most `grace` for the running requests \
                       (`tokio::time::timeout(grace, ...)`), abort the rest, wait until they \
                       are gone, and return."
            ),
        }
    };
    let got = o.returned;
    let end = show(got);
    let finishing_in_grace: Vec<u64> = script.ids_where(|f| match f {
        Fate::Completes(at) => script.shutdown.is_some_and(|s| at > s),
        _ => false,
    });
    match script.shutdown {
        Some(s) if got > want + SLACK_MS => {
            let grace_ends = s + script.grace;
            if got + SLACK_MS >= CLIENTS_LEAVE_MS {
                fail!(
                    "{ctx}: serve returned only at {end}, when the test finally closed the \
                     channel. Until then it kept waiting in `requests.recv()` and never noticed \
                     the shutdown: a real server, whose clients never stop sending, would \
                     ignore Ctrl-C for ever.\n{timeline}";
                    try = "wait for the shutdown and for the next request at the same time: \
                           `tokio::select! {{ biased; _ = shutdown.cancelled() => break, \
                           request = requests.recv() => ... }}`."
                );
            }
            let last_finish = in_time
                .iter()
                .filter_map(|r| o.afterwards(r.id).finished)
                .max();
            if got > grace_ends + SLACK_MS {
                if last_finish.is_some_and(|f| f.abs_diff(got) <= SLACK_MS) {
                    fail!(
                        "{ctx}: serve returned at {end}, when the last request finished, \
                         instead of at {} when the grace period ended: you waited for every \
                         request to finish, so one slow request can hold the shutdown up for as \
                         long as it likes.\n{timeline}",
                        show(grace_ends);
                        try = "bound the wait with `tokio::time::timeout(grace, <wait for them \
                               all>)`; when it gives `Err(Elapsed)`, abort the rest \
                               (`abort_all()`) and wait until they are gone."
                    );
                }
                fail!(
                    "{ctx}: serve returned at {end}, but the grace period ended at {}.\n\
                     {timeline}",
                    show(grace_ends);
                    try = "after the shutdown, wait at most `grace` for the running requests \
                           (`tokio::time::timeout(grace, ...)`), then abort the rest."
                );
            }
            if want < grace_ends && got + SLACK_MS >= grace_ends {
                let done = if finishing_in_grace.is_empty() {
                    "nothing was running at the shutdown".to_string()
                } else {
                    format!("every request was done at {}", show(want))
                };
                fail!(
                    "{ctx}: serve returned at {end}: it waited out the whole grace period, \
                     although {done}. A server that has nothing left to do should stop at \
                     once.\n{timeline}";
                    try = "wait for the running requests themselves, with `grace` as a limit: \
                           `tokio::time::timeout(grace, <wait for them all>)` returns as soon \
                           as they are done. Don't `sleep(grace)`."
                );
            }
            fail!(
                "{ctx}: serve returned at {end}, expected {} ({}).\n{timeline}",
                show(want),
                if want == s { "nothing was running at the shutdown" } else { "when the last running request finished" };
                try = "return as soon as nothing runs any more."
            );
        }
        Some(s) if got + SLACK_MS < want => {
            if got + SLACK_MS < s {
                fail!(
                    "{ctx}: serve returned at {end}, before the shutdown, while the channel \
                     was still open.\n{timeline}";
                    try = "keep taking requests until `shutdown` is cancelled or \
                           `requests.recv()` gives `None`."
                );
            }
            if got <= s + SLACK_MS && !finishing_in_grace.is_empty() {
                fail!(
                    "{ctx}: serve returned at {end}, right at the shutdown, without any grace: \
                     {} would have finished within the grace period (the last at {}), but \
                     {} abandoned.\n{timeline}",
                    who(&finishing_in_grace),
                    show(want),
                    if finishing_in_grace.len() == 1 { "it was" } else { "they were" };
                    try = "give the running requests up to `grace` to finish: \
                           `tokio::time::timeout(grace, <wait for them all>)`, and abort only \
                           those still running when it gives `Err(Elapsed)`."
                );
            }
            fail!(
                "{ctx}: serve returned at {end}, expected {}: it gave up before the running \
                 requests were done and before the grace period ended.\n{timeline}",
                show(want);
                try = "after the shutdown, wait for the running requests with \
                       `tokio::time::timeout(grace, ...)`; abort only what is left after it."
            );
        }
        None if got > want + SLACK_MS => fail!(
            "{ctx}: serve returned at {end}, but every request was done at {}.\n{timeline}",
            show(want);
            try = "once the channel is closed and the running requests are done, return."
        ),
        None if got + SLACK_MS < want => {
            let close = script.close.unwrap_or_default();
            let running: Vec<u64> = script.ids_where(|f| match f {
                Fate::Completes(at) => at > got,
                _ => false,
            });
            if got + SLACK_MS < close {
                fail!(
                    "{ctx}: serve returned at {end}, while the channel was still open and no \
                     shutdown was requested.\n{timeline}";
                    try = "keep taking requests until `requests.recv()` gives `None` (or a \
                           shutdown)."
                );
            }
            fail!(
                "{ctx}: serve returned at {end}, while {} {} still running (the last would \
                 finish at {}). A closed channel only means that no request will come any \
                 more: the running ones must still finish, however long they take.\n{timeline}",
                who(&running),
                was(running.len()),
                show(want);
                try = "when `requests.recv()` gives `None`, wait for every running request \
                       (`while let Some(..) = set.join_next().await`), with no time limit: \
                       the grace period is for shutdowns only."
            );
        }
        _ => {}
    }

    // 4. Were the abandoned requests really stopped before serve returned?
    let abandoned = script.ids_where(|f| f == Fate::Abandoned);
    let ran_on: Vec<u64> = abandoned
        .iter()
        .copied()
        .filter(|&id| o.at_return(id).finished.is_none() && o.afterwards(id).finished.is_some())
        .collect();
    if let Some(&first) = ran_on.first() {
        fail!(
            "{ctx}: serve returned at {end}, but {} kept running after serve returned: request \
             {first} finished at {}, and could have done anything then (written to a \
             database that was being closed, say). Dropping a `JoinHandle` does not stop its \
             task.\n{timeline}",
            who(&ran_on),
            show(o.afterwards(first).finished.unwrap_or_default());
            try = "abort the requests still running when the grace period ends \
                   (`JoinSet::abort_all()`, or `abort()` on each handle), then wait until they \
                   are gone (`join_next()` until it gives `None`)."
        );
    }
    let alive: Vec<u64> = abandoned
        .iter()
        .copied()
        .filter(|&id| !o.at_return(id).dropped)
        .collect();
    if !alive.is_empty() {
        let never: Vec<u64> = alive
            .iter()
            .copied()
            .filter(|&id| !o.afterwards(id).dropped)
            .collect();
        if !never.is_empty() {
            fail!(
                "{ctx}: {} {} never cancelled: {} after serve returned, {} still alive, \
                 waiting (a future kept or leaked somewhere, or a task never aborted).\n\
                 {timeline}",
                who(&never),
                was(never.len()),
                show_d(AFTERWARDS),
                if never.len() == 1 { "it was" } else { "they were" };
                try = "abort what is still running when the grace period ends \
                       (`JoinSet::abort_all()`), then wait until it is gone."
            );
        }
        fail!(
            "{ctx}: {} had not been dropped yet when serve returned at {end}, so their \
             clean-up (closing a connection, rolling back a transaction) had not run: aborting \
             only asks tokio to cancel a task, which happens later.\n{timeline}",
            who(&alive);
            try = "after `abort_all()`, keep calling `join_next()` (or `join_next_with_id()`) \
                   until it gives `None`: then every aborted task is gone. (`JoinSet::shutdown()` \
                   does both, but then you no longer see which requests ended how.)"
        );
    }

    // 5. Is the report right?
    let want_report = script.want();
    if *got_report == want_report {
        return;
    }
    let sorted = |ids: &[u64]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids
    };
    if sorted(&got_report.completed) == want_report.completed
        && sorted(&got_report.abandoned) == want_report.abandoned
    {
        fail!(
            "{ctx}: serve reported completed {} and abandoned {}: the right requests, but the \
             lists are not sorted (expected {} and {}).\n{timeline}",
            list(&got_report.completed),
            list(&got_report.abandoned),
            list(&want_report.completed),
            list(&want_report.abandoned);
            try = "sort both lists before returning (`sort_unstable()`)."
        );
    }
    let what_became = |id: u64| -> String {
        let Some(r) = script.requests.iter().find(|r| r.id == id) else {
            return format!("the test never sent a request {id}");
        };
        match script.fate(r) {
            Fate::Completes(at) => format!("request {id} ran to its end at {}", show(at)),
            Fate::Abandoned => format!(
                "request {id} was still running when the grace period ended, and was aborted"
            ),
            Fate::NotStarted => {
                format!("request {id} came after the shutdown, and was never started")
            }
        }
    };
    let shown = format!(
        "serve reported completed {} and abandoned {}; expected {} and {}",
        list(&got_report.completed),
        list(&got_report.abandoned),
        list(&want_report.completed),
        list(&want_report.abandoned)
    );
    let wrong = want_report
        .completed
        .iter()
        .chain(&want_report.abandoned)
        .chain(&got_report.completed)
        .chain(&got_report.abandoned)
        .copied()
        .find(|id| {
            want_report.completed.contains(id) != got_report.completed.contains(id)
                || want_report.abandoned.contains(id) != got_report.abandoned.contains(id)
        });
    let why = wrong.map_or_else(String::new, |id| {
        let listed = match (
            got_report.completed.contains(&id),
            got_report.abandoned.contains(&id),
        ) {
            (true, true) => "listed it twice",
            (true, false) => "listed it as completed",
            (false, true) => "listed it as abandoned",
            (false, false) => "left it out",
        };
        format!(": {}, but the report {listed}", what_became(id))
    });
    fail!(
        "{ctx}: {shown}{why}.\n{timeline}";
        try = "list a request under `completed` when its task ran to its end \
               (`join_next_with_id` gives `Ok((task_id, ()))`), under `abandoned` when it was \
               aborted (`Err(e)` with `e.is_cancelled()`; `e.id()` is its task id); map task ids \
               back to request ids with a `HashMap`."
    );
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn requests_run_concurrently() {
    // Five requests of 1 s at once, then the channel closes: all done at 1 s.
    let script = Script::with_close((1..=5).map(|id| req(id, 0, 1000)).collect(), 0);
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn closed_channel_lets_every_request_finish() {
    // No shutdown: request 3 runs until 7 s, long after the channel closed.
    let script = Script::with_close(
        vec![req(1, 0, 3000), req(2, 1000, 1000), req(3, 2000, 5000)],
        2500,
    );
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn closed_channel_without_requests_returns_at_once() {
    let script = Script::with_close(vec![], 0);
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn shutdown_with_nothing_in_flight_returns_at_once() {
    // Request 7 is long done when the shutdown comes, and the client keeps
    // its Sender open: serve must notice the token by itself, at 5 s.
    let script = Script::with_shutdown(vec![req(7, 0, 1000)], 5000, 2000);
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn shutdown_waits_at_most_the_grace_period() {
    // The example of the sheet: returns at 7 s, completed [1, 2], abandoned [3].
    let script = Script::with_shutdown(
        vec![
            req(1, 0, 1000),
            req(2, 1000, 5500),
            req(3, 4000, 10_000),
            req(4, 5500, 1000),
        ],
        5000,
        2000,
    );
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn requests_finishing_within_the_grace_period_complete() {
    // All three finish within the grace period: serve returns at 6.5 s.
    let script = Script::with_shutdown(
        vec![req(1, 2000, 4000), req(2, 4000, 2500), req(3, 4500, 1000)],
        5000,
        2000,
    );
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn abandoned_requests_are_stopped_before_serve_returns() {
    // Requests 1, 2 and 4 are still running at 7 s; 4 would end at 7.5 s.
    let script = Script::with_shutdown(
        vec![
            req(1, 0, 60_000),
            req(2, 1000, 20_000),
            req(3, 2000, 1000),
            req(4, 4000, 3500),
        ],
        5000,
        2000,
    );
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn no_new_requests_are_started_after_shutdown() {
    // Requests 20 and 21 are queued in the same instant as the shutdown;
    // 22 and 23 arrive during the grace period, while request 1 still runs.
    // A select! without `biased;` picks a queued request half of the time or
    // more, so the scenario is played 20 times: it slips through all of them
    // about once in a million.
    const ROUNDS: usize = 20;
    let script = Script::with_shutdown(
        vec![
            req(1, 4000, 2500),
            req(20, 5000, 1000),
            req(21, 5000, 1000),
            req(22, 5500, 1000),
            req(23, 6000, 1000),
        ],
        5000,
        2000,
    );
    let played = script.clone();
    let outcomes = paused(WATCHDOG, HUNG, move || async move {
        let mut outcomes = Vec::new();
        for _ in 0..ROUNDS {
            let o = play(&played).await;
            // Stop at the first round that shows a problem.
            let started_late = [20, 21, 22, 23].iter().any(|id| {
                o.afterwards
                    .get(id)
                    .is_some_and(|log| log.started.is_some())
            });
            let wrong = started_late || o.report.as_ref() != Some(&played.want());
            outcomes.push(o);
            if wrong {
                break;
            }
        }
        outcomes
    });
    for o in &outcomes {
        judge(&script, o);
    }
    check!(
        outcomes.len() == ROUNDS,
        "the grader played only {} of {ROUNDS} rounds.",
        outcomes.len()
    );
}

#[test]
fn report_ids_are_sorted() {
    // Ids arrive unsorted, and finish in yet another order (7, 42, 11, 3).
    let script = Script::with_shutdown(
        vec![
            req(42, 0, 2000),
            req(7, 500, 1000),
            req(19, 1000, 10_000),
            req(3, 2000, 3500),
            req(25, 3000, 20_000),
            req(11, 4000, 1200),
            req(8, 4500, 30_000),
        ],
        5000,
        1000,
    );
    let o = run(&script);
    judge(&script, &o);
}

#[test]
fn a_thousand_requests() {
    // One request every 10 ms from 5 ms on, each needing 1.5 s; shutdown at
    // 5 s with 1 s of grace: 1..=450 complete, 451..=500 are abandoned, and
    // 501..=1000 come after the shutdown.
    let requests: Vec<Request> = (1..=1000)
        .map(|id| req(id, 5 + (id - 1) * 10, 1500))
        .collect();
    let script = Script {
        summary: Some(
            "requests 1 to 1000 arrive one every 10 ms from 5 ms on and each needs 1.5 s",
        ),
        ..Script::with_shutdown(requests, 5000, 1000)
    };
    let o = run(&script);
    judge(&script, &o);
}
