//! Graded suite for exercise 2 (timeouts and a shared deadline).
//!
//! Everything runs on tokio's paused clock: a "100 s" wait costs microseconds of
//! real time and every instant is exact. The ops handed to the student's code
//! are probes: each one logs when it started and finished and whether it has
//! been dropped, so a failure says *why* (the ops ran one after another, waited
//! past the deadline, kept running afterwards...), not only *that* it failed.
//! After each call the grader lets the clock run on for 100 s more: a late op
//! left running would finish then, and is caught.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ex02::{all_within, with_timeout, TimedOut};
use grading::{check, fail, fmt_duration, paused};
use tokio::time::Instant;

/// Real time any test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds (the 10 000-op test: a few hundred).
const WATCHDOG: Duration = Duration::from_secs(3);
const WATCHDOG_10K: Duration = Duration::from_secs(8);
/// Slack for tokio's 1 ms timer resolution.
const SLACK: Duration = Duration::from_millis(5);
/// How long the clock runs on after the student's code returned.
const AFTERWARDS: Duration = Duration::from_secs(100);
/// A delay meaning "this op never finishes".
const NEVER: u64 = u64::MAX;

const HUNG_WITH_TIMEOUT: &str = "with_timeout never returned, although the op never \
    finishes: it waits for the op instead of giving up at the limit (or something blocks \
    the thread: under the paused clock tokio's timers cost no real time).\n\
    Try: race the op against a timer: `tokio::time::timeout(limit, op)`.";
const BLOCKED_WITH_TIMEOUT: &str = "with_timeout did not return, although the op ends \
    within seconds of tokio time: something blocks the thread or spins (under the paused clock \
    tokio's timers cost no real time; `std::thread::sleep` or a busy loop does).\n\
    Try: let tokio do the waiting: `tokio::time::timeout(limit, op)`.";
const HUNG_ALL_WITHIN: &str = "all_within never returned. It waits for an op that never \
    finishes instead of stopping at the deadline, or something blocks the thread (under the \
    paused clock tokio's timers cost no real time; `std::thread::sleep` or a busy loop does).\n\
    Try: race every op against the deadline: `tokio::time::timeout_at(deadline, op)`.";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// `3.0 s`, `250 ms`, and `3.999 s` where one decimal would round.
fn show(d: Duration) -> String {
    if d >= secs(1) && !d.subsec_millis().is_multiple_of(100) {
        format!("{:.3} s", d.as_secs_f64())
    } else {
        fmt_duration(d)
    }
}

fn show_delay(delay_ms: u64) -> String {
    if delay_ms == NEVER {
        "never".to_string()
    } else {
        show(ms(delay_ms))
    }
}

/// What op `i` returns when it finishes.
fn value(i: usize) -> u32 {
    100 + i as u32
}

// ---------------------------------------------------------------------------
// Probe ops: each logs what happened to it.

#[derive(Debug, Clone, Copy, Default)]
struct Log {
    /// Virtual time of the first poll.
    started: Option<Duration>,
    /// Virtual time at which the op ran its last line.
    finished: Option<Duration>,
    /// Whether the op (the future) has been dropped, completed or not.
    dropped: bool,
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
        // No clock here: the drop may happen while the runtime shuts down.
        self.lab.update(self.i, |log| log.dropped = true);
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

// ---------------------------------------------------------------------------
// with_timeout

struct Single {
    got: Result<u32, TimedOut>,
    returned: Duration,
    at_return: Log,
    afterwards: Log,
}

#[track_caller]
fn run_one(delay_ms: u64, limit: Duration, on_timeout: &str) -> Single {
    paused(WATCHDOG, on_timeout, move || async move {
        let lab = Lab::new(1);
        let got = with_timeout(lab.op(0, delay_ms), limit).await;
        let returned = lab.now();
        let at_return = lab.snapshot()[0];
        let_the_clock_run_on().await;
        Single {
            got,
            returned,
            at_return,
            afterwards: lab.snapshot()[0],
        }
    })
}

fn judge_one(delay_ms: u64, limit: Duration, r: &Single) {
    let op = if delay_ms == NEVER {
        "an op that never finishes".to_string()
    } else {
        format!("an op of {}", show_delay(delay_ms))
    };
    let call = format!("with_timeout({op}, limit {})", show(limit));
    let end = show(r.returned);
    let in_time = delay_ms != NEVER && ms(delay_ms) < limit;
    match (in_time, r.got) {
        (true, Ok(v)) => check!(
            v == value(0),
            "{call} gave Ok({v}), but the op returned {}.",
            value(0);
            try = "return the op's own output: `Ok(output)`."
        ),
        (true, Err(TimedOut)) => fail!(
            "{call} gave Err(TimedOut) after {end}, but the op finishes after {}, within the \
             limit.",
            show_delay(delay_ms);
            try = "give `Ok(output)` when the op finishes first; `Err(TimedOut)` only when the \
                   limit passes first, e.g. with `tokio::time::timeout(limit, op)`."
        ),
        (false, Ok(_)) => fail!(
            "{call} gave Ok after {end}: the op ran to its end although it needs more than the \
             limit; nothing stopped it at {}.",
            show(limit);
            try = "race the op against a timer: `tokio::time::timeout(limit, op)`, then turn its \
                   error into `TimedOut`."
        ),
        (false, Err(TimedOut)) => {}
    }
    let expected = if in_time { ms(delay_ms) } else { limit };
    if r.returned > expected + SLACK {
        if !in_time && r.at_return.finished.is_some() {
            fail!(
                "{call} returned Err(TimedOut) only after {end}, when the op finished: it awaited \
                 the op to the end and compared the time afterwards, instead of giving up at the \
                 limit.";
                try = "race the op against a timer so that waiting stops at the limit: \
                       `tokio::time::timeout(limit, op)` (it drops the op when time is up)."
            );
        }
        fail!(
            "{call} returned after {end}, expected {} ({}).",
            show(expected),
            if in_time { "when the op is done" } else { "the limit" };
            try = "return as soon as the op is done or the limit passes: `tokio::time::timeout`."
        );
    }
    check!(
        r.returned + SLACK >= expected,
        "{call} returned after only {end}, expected {}.",
        show(expected);
        try = "await the op (with the limit) before returning."
    );
    if r.at_return.finished.is_none() && r.afterwards.finished.is_some() {
        fail!(
            "{call} returned at {end}, but the op kept running and finished at {}: a timed-out op \
             must be cancelled.",
            show(r.afterwards.finished.unwrap_or_default());
            try = "drop the op when the limit passes; `tokio::time::timeout` does that."
        );
    }
    check!(
        r.at_return.dropped,
        "{call} returned at {end}, but the op had not been dropped yet: whatever it holds is \
         not released.";
        try = "let the op be dropped when with_timeout returns (don't keep it, leak it or \
               spawn it); `tokio::time::timeout` does that."
    );
}

#[test]
fn with_timeout_gives_ok_for_a_fast_op() {
    let r = run_one(1500, secs(2), BLOCKED_WITH_TIMEOUT);
    judge_one(1500, secs(2), &r);
}

#[test]
fn with_timeout_gives_up_at_the_limit() {
    let r = run_one(5000, secs(2), BLOCKED_WITH_TIMEOUT);
    judge_one(5000, secs(2), &r);
}

#[test]
fn with_timeout_gives_up_on_an_op_that_never_finishes() {
    let r = run_one(NEVER, secs(1), HUNG_WITH_TIMEOUT);
    judge_one(NEVER, secs(1), &r);
}

// ---------------------------------------------------------------------------
// all_within

struct Report {
    got: Vec<Option<u32>>,
    returned: Duration,
    real: Duration,
    at_return: Vec<Log>,
    afterwards: Vec<Log>,
}

#[track_caller]
fn run_all(delays_ms: &[u64], deadline: Duration, watchdog: Duration) -> Report {
    let delays = delays_ms.to_vec();
    paused(watchdog, HUNG_ALL_WITHIN, move || async move {
        let lab = Lab::new(delays.len());
        let ops: Vec<_> = delays
            .iter()
            .enumerate()
            .map(|(i, &d)| lab.op(i, d))
            .collect();
        let real_start = std::time::Instant::now();
        let got = all_within(ops, deadline).await;
        let returned = lab.now();
        let real = real_start.elapsed();
        let at_return = lab.snapshot();
        let_the_clock_run_on().await;
        Report {
            got,
            returned,
            real,
            at_return,
            afterwards: lab.snapshot(),
        }
    })
}

/// `all_within([1.0 s, never], deadline 2.0 s)`, or a summary for many ops.
fn describe(delays: &[u64], deadline: Duration) -> String {
    const SHOWN: usize = 6;
    if delays.len() > SHOWN {
        let min = delays.iter().copied().min().unwrap_or_default();
        let max = delays.iter().copied().max().unwrap_or_default();
        return format!(
            "all_within({} ops of {} to {}, deadline {})",
            delays.len(),
            show_delay(min),
            show_delay(max),
            show(deadline)
        );
    }
    let list: Vec<String> = delays.iter().map(|&d| show_delay(d)).collect();
    format!(
        "all_within([{}], deadline {})",
        list.join(", "),
        show(deadline)
    )
}

/// Shows at most a handful of results, so 10 000 of them stay readable.
fn preview(results: &[Option<u32>]) -> String {
    const SHOWN: usize = 6;
    if results.len() <= SHOWN {
        return format!("{results:?}");
    }
    let head = format!("{:?}", &results[..SHOWN]);
    format!(
        "{}, … ({} results)]",
        head.trim_end_matches(']'),
        results.len()
    )
}

fn ops_list(ops: &[usize]) -> String {
    const SHOWN: usize = 5;
    let names: Vec<String> = ops
        .iter()
        .take(SHOWN)
        .map(|i| format!("ops[{i}]"))
        .collect();
    if ops.len() > SHOWN {
        format!("{}… ({} ops)", names.join(", "), ops.len())
    } else {
        names.join(", ")
    }
}

const START_TOGETHER: &str = "start every op at once and give them all the same deadline: \
    `let deadline = tokio::time::Instant::now() + deadline;`, wrap each op in \
    `tokio::time::timeout_at(deadline, op)` and await them together with `join_all`.";

const CANCEL_LATE_OPS: &str = "cancel late ops. Dropping a future cancels it (`timeout_at` \
    drops the op at the deadline); a spawned task must be aborted, and dropping its `JoinHandle` \
    does NOT do that (a dropped `JoinSet` does).";

/// Checks the whole contract of `all_within`, in an order that gives the
/// most telling diagnosis first.
fn judge_all(delays: &[u64], deadline: Duration, r: &Report) {
    let call = describe(delays, deadline);
    let end = show(r.returned);
    let in_time = |d: u64| d != NEVER && ms(d) < deadline;
    let want: Vec<Option<u32>> = (0..delays.len())
        .map(|i| in_time(delays[i]).then(|| value(i)))
        .collect();
    // The earlier of the deadline and the slowest op (at once for no ops).
    let expected_end = delays
        .iter()
        .map(|&d| if d == NEVER { deadline } else { ms(d) })
        .max()
        .map_or(Duration::ZERO, |slowest| slowest.min(deadline));

    // 1. Did every op start at once?
    let late_start = r
        .at_return
        .iter()
        .enumerate()
        .find(|(_, log)| log.started.is_none_or(|s| s > SLACK));
    if let Some((i, log)) = late_start {
        let when = log.started.map_or("was never started".to_string(), |s| {
            format!("started only at {}", show(s))
        });
        if r.returned > deadline + SLACK {
            fail!(
                "{call} returned after {end}, past the deadline: ops[{i}] {when}, so the ops ran \
                 one after another, each with its own timeout, and their times added up instead \
                 of sharing one deadline.";
                try = "{START_TOGETHER}"
            );
        }
        if r.got != want {
            fail!(
                "{call}: ops[{i}] {when}, so the ops ran one after another and the later ones got \
                 only what was left of the deadline, or nothing (results: {}, expected {}).",
                preview(&r.got),
                preview(&want);
                try = "{START_TOGETHER}"
            );
        }
        fail!(
            "{call}: ops[{i}] {when}, so the ops ran one after another instead of all at once{}. \
             The results happen to be right here, but three ops of 0.8 x the deadline each would \
             not all make it.",
            if r.returned > expected_end + SLACK {
                format!(", and all_within took {end} instead of {}", show(expected_end))
            } else {
                String::new()
            };
            try = "{START_TOGETHER}"
        );
    }

    // 2. Did it return at the right time?
    if r.returned > expected_end + SLACK {
        let last_finish = r.afterwards.iter().filter_map(|log| log.finished).max();
        let waited_for_all = r.returned > deadline + SLACK
            && last_finish.is_some_and(|f| f > deadline && f <= r.returned);
        if waited_for_all {
            fail!(
                "{call} returned after {end}, when its slowest op finished, although the \
                 deadline was {}: all_within waited for every op to finish and only then looked \
                 at the clock.",
                show(deadline);
                try = "stop waiting at the deadline: race each op against it with \
                       `tokio::time::timeout_at(deadline, op)`; an op cut off there is dropped, \
                       which cancels it."
            );
        }
        if delays.is_empty() {
            fail!(
                "{call} returned after {end}: with no op to wait for, all_within waited out the \
                 whole deadline instead of returning at once.";
                try = "return as soon as every op is done (for no ops: at once); don't sleep until \
                       the deadline."
            );
        }
        if expected_end < deadline && r.returned + SLACK >= deadline {
            fail!(
                "{call} returned after {end}, although every op was done after {}: all_within \
                 waited out the whole deadline instead of returning as soon as the last op was \
                 done.",
                show(expected_end);
                try = "don't sleep until the deadline; wait for the ops themselves, with the \
                       deadline as an upper bound: `timeout_at(deadline, op)` for each, all in \
                       one `join_all`."
            );
        }
        fail!(
            "{call} returned after {end}, expected {} ({}).",
            show(expected_end),
            if expected_end < deadline { "when the last op is done" } else { "the deadline" };
            try = "return as soon as every op is done or the deadline passes, whichever is first."
        );
    }
    check!(
        r.returned + SLACK >= expected_end,
        "{call} returned after only {end}, expected {} ({}): it gave up before the ops were done \
         and before the deadline (results: {}).",
        show(expected_end),
        if expected_end < deadline { "when the last op is done" } else { "the deadline" },
        preview(&r.got);
        try = "await the ops, with the deadline as a limit, before returning."
    );

    // 3. Are the results right, and at the right positions?
    check!(
        r.got.len() == want.len(),
        "{call} returned {} results for {} ops: expected one Option per op ({}).",
        r.got.len(),
        want.len(),
        preview(&want);
        try = "give `None` for each op that missed the deadline, so the results line up with `ops`."
    );
    if r.got != want {
        let mut in_finish_order: Vec<usize> =
            (0..delays.len()).filter(|&i| in_time(delays[i])).collect();
        in_finish_order.sort_by_key(|&i| delays[i]);
        let finish_order: Vec<u32> = in_finish_order.iter().map(|&i| value(i)).collect();
        let got_values: Vec<u32> = r.got.iter().flatten().copied().collect();
        if got_values == finish_order {
            fail!(
                "{call} gave {}: the results are in the order the ops finished; expected each at \
                 its op's position: {}.",
                preview(&r.got),
                preview(&want);
                try = "keep input order: `join_all` does; with a JoinSet, spawn \
                       `async move {{ (index, op.await) }}` and store each output at \
                       `results[index]`."
            );
        }
        let lost: Vec<usize> = (0..want.len())
            .filter(|&i| want[i].is_some() && r.got[i].is_none())
            .collect();
        let lost_finished = lost.iter().all(|&i| r.at_return[i].finished.is_some());
        if r.got.iter().all(Option::is_none) && !lost.is_empty() && lost_finished {
            fail!(
                "{call} gave {}, None for every op, even for ops that finished in time ({}): \
                 one timeout around all the ops together throws away the outputs of those that \
                 were done (`join_all` gives nothing until every op is done).",
                preview(&r.got),
                ops_list(&lost);
                try = "put the deadline on each op instead: `timeout_at(deadline, op)` for each, \
                       inside the `join_all`, so every op keeps its own result."
            );
        }
        let i = (0..want.len())
            .find(|&i| r.got[i] != want[i])
            .unwrap_or_default();
        if want[i].is_some() {
            fail!(
                "{call} gave {}: ops[{i}] takes {}, before the deadline, so its result should \
                 be {:?}, not {:?} (expected {}).",
                preview(&r.got),
                show_delay(delays[i]),
                want[i],
                r.got[i],
                preview(&want);
                try = "give `Some(output)` for every op that finished in time, at its position."
            );
        }
        fail!(
            "{call} gave {}: ops[{i}] takes {}, past the deadline, so its result should be None, \
             not {:?} (expected {}).",
            preview(&r.got),
            show_delay(delays[i]),
            r.got[i],
            preview(&want);
            try = "give `None` for ops that did not finish by the deadline."
        );
    }

    // 4. Are late ops really cancelled?
    let ran_on: Vec<usize> = (0..delays.len())
        .filter(|&i| r.at_return[i].finished.is_none() && r.afterwards[i].finished.is_some())
        .collect();
    if let Some(&first) = ran_on.first() {
        fail!(
            "{call} returned at {end}, but {} kept running after all_within returned: ops[{first}] \
             finished at {}, and could have done anything then (sent a request, written a file).",
            ops_list(&ran_on),
            show(r.afterwards[first].finished.unwrap_or_default());
            try = "{CANCEL_LATE_OPS}"
        );
    }
    let alive: Vec<usize> = (0..delays.len())
        .filter(|&i| !r.at_return[i].dropped)
        .collect();
    let never_cancelled: Vec<usize> = alive
        .iter()
        .copied()
        .filter(|&i| !r.afterwards[i].dropped)
        .collect();
    if !never_cancelled.is_empty() {
        fail!(
            "{call} returned at {end}, but {} {} never cancelled: {} later {} still \
             alive, waiting (spawned tasks left detached, or futures kept or leaked somewhere).",
            ops_list(&never_cancelled),
            if never_cancelled.len() == 1 { "was" } else { "were" },
            show(AFTERWARDS),
            if never_cancelled.len() == 1 { "it was" } else { "they were" };
            try = "{CANCEL_LATE_OPS}"
        );
    }
    if !alive.is_empty() {
        fail!(
            "{call} returned at {end}, but {} {} still alive when all_within returned (not dropped \
             yet), so whatever {} (a connection, a lock, a buffer) was not released: `abort()` \
             only asks tokio to cancel a task, which happens later.",
            ops_list(&alive),
            if alive.len() == 1 { "was" } else { "were" },
            if alive.len() == 1 { "it holds" } else { "they hold" };
            try = "make sure late ops are gone before returning: drop the futures themselves \
                   (`timeout_at` in a `join_all` does), or wait for the aborted tasks: \
                   `JoinSet::shutdown().await`, or `handle.await` after `handle.abort()`."
        );
    }
}

#[test]
fn results_are_in_input_order() {
    // ops[2] finishes 1 ms before the deadline, ops[3] 1 ms after it.
    let (delays, deadline) = ([1000, 5000, 3999, 4001, 2000], secs(4));
    let r = run_all(&delays, deadline, WATCHDOG);
    judge_all(&delays, deadline, &r);
}

#[test]
fn all_within_ends_at_the_deadline() {
    let (delays, deadline) = ([1000, 10_000], secs(3));
    let r = run_all(&delays, deadline, WATCHDOG);
    judge_all(&delays, deadline, &r);
}

#[test]
fn an_op_that_never_finishes_is_cut_off_at_the_deadline() {
    let (delays, deadline) = ([NEVER, 1000], secs(2));
    let r = run_all(&delays, deadline, WATCHDOG);
    judge_all(&delays, deadline, &r);
}

#[test]
fn all_within_returns_as_soon_as_every_op_is_done() {
    let (delays, deadline) = ([1000, 2000, 1500], secs(10));
    let r = run_all(&delays, deadline, WATCHDOG);
    judge_all(&delays, deadline, &r);
}

#[test]
fn ops_share_one_deadline() {
    // Each op takes 0.8 x the deadline: together they make it, one after
    // another (2.4 x) they would not.
    let (delays, deadline) = ([8000, 8000, 8000], secs(10));
    let r = run_all(&delays, deadline, WATCHDOG);
    judge_all(&delays, deadline, &r);
}

#[test]
fn late_ops_never_run_after_the_deadline() {
    let (delays, deadline) = ([1000, 3000, 50_000], secs(2));
    let r = run_all(&delays, deadline, WATCHDOG);
    judge_all(&delays, deadline, &r);
}

#[test]
fn late_ops_are_dropped_before_all_within_returns() {
    let (delays, deadline) = ([1000, NEVER, 3000, NEVER], secs(2));
    let r = run_all(&delays, deadline, WATCHDOG);
    judge_all(&delays, deadline, &r);
}

#[test]
fn no_ops_give_no_results_at_once() {
    let r = run_all(&[], secs(5), WATCHDOG);
    judge_all(&[], secs(5), &r);
}

#[test]
fn ten_thousand_ops_share_one_deadline() {
    const N: u64 = 10_000;
    let deadline = secs(5);
    // Spread over 1 ms..10 s, none exactly at the deadline.
    let delays: Vec<u64> = (0..N)
        .map(|i| match 1 + i * 7919 % 9999 {
            5000 => 5001,
            d => d,
        })
        .collect();
    let r = run_all(&delays, deadline, WATCHDOG_10K);
    judge_all(&delays, deadline, &r);
    check!(
        r.real < secs(4),
        "{} took {} of real time; waiting ops should cost microseconds each.",
        describe(&delays, deadline),
        fmt_duration(r.real);
        try = "let tokio do the waiting (`timeout_at`, `join_all` or a `JoinSet`); don't poll in a \
               loop or scan every op each time one finishes."
    );
}
