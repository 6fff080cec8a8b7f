//! The judges: each checks one promise of the contract, and explains a
//! failure with what the probe ops logged (when each started, finished and
//! was dropped), so that the message says *why*, not only *that*.

use std::time::Duration;

use ex02::TimedOut;
use grading::{check, fail, fmt_duration_exact as show, ms, preview, Clock, Timeline};

use crate::probe::{value, Log, Report, Single, AFTERWARDS, NEVER};

/// `fail!` with the picture of how the ops ran (`$r.picture()`) under the
/// sentence.
macro_rules! fail_drawn {
    ($r:expr, $($observed:expr),+ ; try = $($hint:expr),+) => {
        fail!("{}{}", format!($($observed),+), $r.picture(); try = $($hint),+)
    };
}

/// `check!` with the picture of how the ops ran under the sentence.
macro_rules! check_drawn {
    ($r:expr, $cond:expr, $($rest:tt)+) => {
        if !$cond {
            fail_drawn!($r, $($rest)+);
        }
    };
}

/// Slack for tokio's 1 ms timer resolution.
const SLACK: Duration = ms(5);

const START_TOGETHER: &str = "start every op at once and give them all the same deadline: \
    `let deadline = tokio::time::Instant::now() + deadline;`, wrap each op in \
    `tokio::time::timeout_at(deadline, op)` and await them together with `join_all`.";

const CANCEL_LATE_OPS: &str = "cancel late ops. Dropping a future cancels it (`timeout_at` \
    drops the op at the deadline); a spawned task must be aborted, and dropping its `JoinHandle` \
    does NOT do that (a dropped `JoinSet` does).";

fn show_delay(delay_ms: u64) -> String {
    if delay_ms == NEVER {
        "never".to_string()
    } else {
        show(ms(delay_ms))
    }
}

/// `ops[0], ops[3]`, or the first few and how many in all.
fn ops_list(ops: &[usize]) -> String {
    let names: Vec<String> = ops.iter().take(5).map(|i| format!("ops[{i}]")).collect();
    if ops.len() > 5 {
        format!("{}, … ({} ops)", names.join(", "), ops.len())
    } else {
        names.join(", ")
    }
}

/// `1 was` / `3 were`.
fn was(n: usize) -> &'static str {
    if n == 1 {
        "was"
    } else {
        "were"
    }
}

// ---------------------------------------------------------------------------
// The pictures: when each op ran, above what a correct solution does.

/// When op `log` ran, as the probe saw it: from its first poll to its last
/// line; an op dropped unfinished by the return ends there at the latest
/// (the probe cannot read the clock in a drop), and one neither finished
/// nor dropped ran on while the grader watched.
fn ran(at_return: &Log, afterwards: &Log, returned: Duration) -> Vec<(Duration, Duration)> {
    let Some(start) = afterwards.started else {
        return Vec::new();
    };
    let end = match afterwards.finished {
        Some(end) => end,
        None if at_return.dropped || afterwards.dropped => returned,
        None => returned + AFTERWARDS,
    };
    vec![(start, end.max(start))]
}

/// What a correct solution does with an op of `delay_ms`: it runs from the
/// start until it is done or the limit cuts it off.
fn runs_until(delay_ms: u64, limit: Duration) -> Vec<(Duration, Duration)> {
    let end = if delay_ms == NEVER {
        limit
    } else {
        ms(delay_ms).min(limit)
    };
    vec![(Duration::ZERO, end)]
}

impl Single {
    fn picture(&self) -> String {
        let returned = self.returned;
        let seen = Timeline::new("what your code did", Clock::Virtual)
            .lane("op", &ran(&self.at_return, &self.afterwards, returned))
            .mark("limit", self.limit)
            .mark("returned", returned);
        let end = runs_until(self.delay_ms, self.limit)[0].1;
        let correct = Timeline::new("what a correct solution does", Clock::Virtual)
            .lane("op", &runs_until(self.delay_ms, self.limit))
            .mark("limit", self.limit)
            .mark("returned", end);
        grading::picture(&seen, &correct)
    }
}

impl Report {
    fn picture(&self) -> String {
        let returned = self.returned;
        let mut seen = Timeline::new("what your code did", Clock::Virtual);
        let mut correct = Timeline::new("what a correct solution does", Clock::Virtual);
        for (i, &delay) in self.delays.iter().enumerate() {
            let label = format!("op {i}");
            seen = seen.lane(
                &label,
                &ran(&self.at_return[i], &self.afterwards[i], returned),
            );
            correct = correct.lane(&label, &runs_until(delay, self.deadline));
        }
        let seen = seen
            .mark("deadline", self.deadline)
            .mark("returned", returned);
        let correct = correct
            .mark("deadline", self.deadline)
            .mark("returned", self.expected_end());
        grading::picture(&seen, &correct)
    }
}

// ---------------------------------------------------------------------------
// with_timeout

/// The whole contract of `with_timeout`: the right answer, at the right
/// time, with the op cancelled.
pub fn judge_one(r: &Single) {
    let (delay_ms, limit) = (r.delay_ms, r.limit);
    let op = if delay_ms == NEVER {
        "an op that never finishes".to_string()
    } else {
        format!("an op of {}", show_delay(delay_ms))
    };
    let call = format!("with_timeout({op}, limit {})", show(limit));
    let Some(got) = r.got else {
        fail_drawn!(r,
            "{call} was still waiting after 1 hour of tokio time, with nothing left to run: it \
             waits for the op to finish instead of giving up at the limit.";
            try = "race the op against a timer: `tokio::time::timeout(limit, op)`."
        );
    };
    let end = show(r.returned);
    let in_time = delay_ms != NEVER && ms(delay_ms) < limit;
    match (in_time, got) {
        (true, Ok(v)) => check!(
            v == value(0),
            "{call} gave Ok({v}), but the op returned {}.",
            value(0);
            try = "return the op's own output: `Ok(output)`."
        ),
        (true, Err(TimedOut)) => {
            let late = match r.at_return.started {
                None => Some("was never polled at all".to_string()),
                Some(s) if s > SLACK => Some(format!("was first polled only at {}", show(s))),
                Some(_) => None,
            };
            if let Some(late) = late {
                fail_drawn!(r,
                    "{call} gave Err(TimedOut) after {end}, but the op finishes after {}, within \
                     the limit. The op {late}: it did not run while with_timeout waited. A \
                     future does nothing until it is polled (unlike `asyncio.create_task`, \
                     creating it starts nothing), so waiting first and looking at the op \
                     afterwards gives it no time at all.",
                    show_delay(delay_ms);
                    try = "poll the op and the timer at the same time: \
                           `tokio::time::timeout(limit, op)` (or `tokio::select!` over both)."
                );
            }
            fail_drawn!(r,
                "{call} gave Err(TimedOut) after {end}, but the op finishes after {}, within the \
                 limit.",
                show_delay(delay_ms);
                try = "give `Ok(output)` when the op finishes first; `Err(TimedOut)` only when \
                       the limit passes first, e.g. with `tokio::time::timeout(limit, op)`."
            )
        }
        (false, Ok(_)) => fail_drawn!(r,
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
            fail_drawn!(r,
                "{call} returned Err(TimedOut) only after {end}, when the op finished: it awaited \
                 the op to the end and compared the time afterwards, instead of giving up at the \
                 limit.";
                try = "race the op against a timer so that waiting stops at the limit: \
                       `tokio::time::timeout(limit, op)` (it drops the op when time is up)."
            );
        }
        fail_drawn!(r,
            "{call} returned after {end}, expected {} ({}).",
            show(expected),
            if in_time { "when the op is done" } else { "the limit" };
            try = "return as soon as the op is done or the limit passes: `tokio::time::timeout`."
        );
    }
    check_drawn!(r,
        r.returned + SLACK >= expected,
        "{call} returned after only {end}, expected {}.",
        show(expected);
        try = "await the op (with the limit) before returning."
    );
    if r.at_return.finished.is_none() && r.afterwards.finished.is_some() {
        fail_drawn!(r,
            "{call} returned at {end}, but the op kept running and finished at {}: a timed-out op \
             must be cancelled.",
            show(r.afterwards.finished.unwrap_or_default());
            try = "drop the op when the limit passes; `tokio::time::timeout` does that."
        );
    }
    check_drawn!(r,
        r.at_return.dropped,
        "{call} returned at {end}, but the op had not been dropped yet: whatever it holds is \
         not released.";
        try = "let the op be dropped when with_timeout returns (don't keep it, leak it or \
               spawn it); `tokio::time::timeout` does that."
    );
}

// ---------------------------------------------------------------------------
// all_within

impl Report {
    /// `all_within([1.0 s, never], deadline 2.0 s)`, or a summary for many ops.
    fn call(&self) -> String {
        let deadline = show(self.deadline);
        if self.delays.len() > 6 {
            let min = self.delays.iter().copied().min().unwrap_or_default();
            let max = self.delays.iter().copied().max().unwrap_or_default();
            let (n, min, max) = (self.delays.len(), show_delay(min), show_delay(max));
            return format!("all_within({n} ops of {min} to {max}, deadline {deadline})");
        }
        let list: Vec<String> = self.delays.iter().map(|&d| show_delay(d)).collect();
        format!("all_within([{}], deadline {deadline})", list.join(", "))
    }

    fn in_time(&self, i: usize) -> bool {
        self.delays[i] != NEVER && ms(self.delays[i]) < self.deadline
    }

    fn want(&self) -> Vec<Option<u32>> {
        (0..self.delays.len())
            .map(|i| self.in_time(i).then(|| value(i)))
            .collect()
    }

    /// The earlier of the deadline and the slowest op (at once for no ops).
    fn expected_end(&self) -> Duration {
        self.delays
            .iter()
            .map(|&d| if d == NEVER { self.deadline } else { ms(d) })
            .max()
            .map_or(Duration::ZERO, |slowest| slowest.min(self.deadline))
    }

    /// The results; fails if the call was still pending after an hour.
    fn results(&self) -> &[Option<u32>] {
        let call = self.call();
        let Some(got) = &self.got else {
            let waits_for = match self.delays.iter().position(|&d| d == NEVER) {
                Some(i) => format!(
                    "it waits for ops[{i}], which never finishes, instead of stopping at the \
                     deadline"
                ),
                None => "it waits for something that never happens (a task that is never \
                         joined? a channel whose last `Sender` is never dropped?)"
                    .to_string(),
            };
            fail_drawn!(self,
                "{call} was still waiting after 1 hour of tokio time, long past its deadline, \
                 with nothing left to run: {waits_for}.";
                try = "race every op against the deadline: `tokio::time::timeout_at(deadline, op)`."
            );
        };
        got
    }
}

/// Did every op start at once? Ops run one after another show it in their
/// start times, whatever the results.
pub fn judge_start(r: &Report) {
    let (call, got, want) = (r.call(), r.results(), r.want());
    let end = show(r.returned);
    let late_start = r
        .at_return
        .iter()
        .enumerate()
        .find(|(_, log)| log.started.is_none_or(|s| s > SLACK));
    let Some((i, log)) = late_start else { return };
    let when = log.started.map_or("was never started".to_string(), |s| {
        format!("started only at {}", show(s))
    });
    if r.returned > r.deadline + SLACK {
        fail_drawn!(r,
            "{call} returned after {end}, past the deadline: ops[{i}] {when}, so the ops ran one \
             after another, each with its own timeout, and their times added up instead of \
             sharing one deadline.";
            try = "{START_TOGETHER}"
        );
    }
    if got != want {
        fail_drawn!(r,
            "{call}: ops[{i}] {when}, so the ops ran one after another and the later ones got \
             only what was left of the deadline, or nothing (results: {}, expected {}).",
            preview(got, 6),
            preview(&want, 6);
            try = "{START_TOGETHER}"
        );
    }
    let took = if r.returned > r.expected_end() + SLACK {
        format!(
            ", and all_within took {end} instead of {}",
            show(r.expected_end())
        )
    } else {
        String::new()
    };
    fail_drawn!(r,
        "{call}: ops[{i}] {when}, so the ops ran one after another instead of all at once{took}. \
         The results happen to be right here, but three ops of 0.8 x the deadline each would not \
         all make it.";
        try = "{START_TOGETHER}"
    );
}

/// Did it return at the right time: when the last op is done, or at the
/// deadline, whichever is first?
pub fn judge_end(r: &Report) {
    let call = r.call();
    let _ = r.results();
    let end = show(r.returned);
    let (deadline, expected_end) = (r.deadline, r.expected_end());
    let what_end = if expected_end < deadline {
        "when the last op is done"
    } else {
        "the deadline"
    };
    if r.returned > expected_end + SLACK {
        let last_finish = r.afterwards.iter().filter_map(|log| log.finished).max();
        let waited_for_all = r.returned > deadline + SLACK
            && last_finish.is_some_and(|f| f > deadline && f <= r.returned);
        if waited_for_all {
            fail_drawn!(r,
                "{call} returned after {end}, when its slowest op finished, although the \
                 deadline was {}: all_within waited for every op to finish and only then looked \
                 at the clock.",
                show(deadline);
                try = "stop waiting at the deadline: race each op against it with \
                       `tokio::time::timeout_at(deadline, op)`; an op cut off there is dropped, \
                       which cancels it."
            );
        }
        if r.delays.is_empty() {
            fail_drawn!(r,
                "{call} returned after {end}: with no op to wait for, all_within waited out the \
                 whole deadline instead of returning at once.";
                try = "return as soon as every op is done (for no ops: at once); don't sleep until \
                       the deadline."
            );
        }
        if expected_end < deadline && r.returned + SLACK >= deadline {
            fail_drawn!(r,
                "{call} returned after {end}, although every op was done after {}: all_within \
                 waited out the whole deadline instead of returning as soon as the last op was \
                 done.",
                show(expected_end);
                try = "don't sleep until the deadline; wait for the ops themselves, with the \
                       deadline as an upper bound: `timeout_at(deadline, op)` for each, all in \
                       one `join_all`."
            );
        }
        let all_started = r
            .at_return
            .iter()
            .all(|l| l.started.is_some_and(|s| s <= SLACK));
        if r.returned > deadline + SLACK && all_started {
            fail_drawn!(r,
                "{call} returned after {end}, past its deadline ({}), although every op started \
                 at once. Most likely each op got a fresh `timeout(deadline, ..)` when you began \
                 waiting for it, one after another, so the later ones were given more than the \
                 deadline: the deadline is one instant for every op, counted from the call.",
                show(deadline);
                try = "compute the deadline once, `let deadline = tokio::time::Instant::now() + \
                       deadline;`, and race every op against that instant: `timeout_at`."
            );
        }
        fail_drawn!(r,
            "{call} returned after {end}, expected {} ({what_end}).",
            show(expected_end);
            try = "return as soon as every op is done or the deadline passes, whichever is first."
        );
    }
    check_drawn!(r,
        r.returned + SLACK >= expected_end,
        "{call} returned after only {end}, expected {} ({what_end}): it gave up before the ops \
         were done and before the deadline (results: {}).",
        show(expected_end),
        preview(r.results(), 6);
        try = "await the ops, with the deadline as a limit, before returning."
    );
}

/// Are the results right: `Some(output)` for each op in time, `None` for
/// the late ones, each at its op's position?
pub fn judge_results(r: &Report) {
    let (call, got, want) = (r.call(), r.results(), r.want());
    check!(
        got.len() == want.len(),
        "{call} returned {} results for {} ops: expected one Option per op ({}).",
        got.len(),
        want.len(),
        preview(&want, 6);
        try = "give `None` for each op that missed the deadline, so the results line up with `ops`."
    );
    if got == want {
        return;
    }
    let (got_text, want_text) = (preview(got, 6), preview(&want, 6));
    let mut in_finish_order: Vec<usize> = (0..want.len()).filter(|&i| r.in_time(i)).collect();
    in_finish_order.sort_by_key(|&i| r.delays[i]);
    let finish_order: Vec<u32> = in_finish_order.iter().map(|&i| value(i)).collect();
    let got_values: Vec<u32> = got.iter().flatten().copied().collect();
    if got_values == finish_order {
        fail_drawn!(r,
            "{call} gave {got_text}: the results are in the order the ops finished; expected \
             each at its op's position: {want_text}.";
            try = "keep input order: `join_all` does; with a JoinSet, spawn \
                   `async move {{ (index, op.await) }}` and store each output at \
                   `results[index]`."
        );
    }
    let lost: Vec<usize> = (0..want.len())
        .filter(|&i| want[i].is_some() && got[i].is_none())
        .collect();
    let lost_finished = lost.iter().all(|&i| r.at_return[i].finished.is_some());
    if got.iter().all(Option::is_none) && !lost.is_empty() && lost_finished {
        fail_drawn!(r,
            "{call} gave {got_text}, None for every op, even for ops that finished in time ({}): \
             one timeout around all the ops together throws away the outputs of those that were \
             done (`join_all` gives nothing until every op is done).",
            ops_list(&lost);
            try = "put the deadline on each op instead: `timeout_at(deadline, op)` for each, \
                   inside the `join_all`, so every op keeps its own result."
        );
    }
    let i = (0..want.len())
        .find(|&i| got[i] != want[i])
        .unwrap_or_default();
    let delay = show_delay(r.delays[i]);
    if want[i].is_some() {
        fail_drawn!(r,
            "{call} gave {got_text}: ops[{i}] takes {delay}, before the deadline, so its result \
             should be {:?}, not {:?} (expected {want_text}).",
            want[i],
            got[i];
            try = "give `Some(output)` for every op that finished in time, at its position."
        );
    }
    if r.returned > r.deadline + SLACK && r.at_return[i].finished.is_some() {
        fail_drawn!(r,
            "{call} gave {got_text}: ops[{i}] takes {delay}, past the deadline ({}), yet its \
             result is {:?}: all_within kept waiting for it and returned only after {}, while \
             every op ran at the same time. Most likely each op got a fresh `timeout(deadline, \
             ..)` when you began waiting for it, one after another, so the later ones were \
             given more than the deadline (expected {want_text}).",
            show(r.deadline),
            got[i],
            show(r.returned);
            try = "compute the deadline once, `let deadline = tokio::time::Instant::now() + \
                   deadline;`, and race every op against that instant: `timeout_at`."
        );
    }
    fail_drawn!(r,
        "{call} gave {got_text}: ops[{i}] takes {delay}, past the deadline, so its result should \
         be None, not {:?} (expected {want_text}).",
        got[i];
        try = "give `None` for ops that did not finish by the deadline."
    );
}

/// Did a late op run another line after all_within returned?
pub fn judge_no_late_runs(r: &Report) {
    let call = r.call();
    let _ = r.results();
    let ran_on: Vec<usize> = (0..r.delays.len())
        .filter(|&i| r.at_return[i].finished.is_none() && r.afterwards[i].finished.is_some())
        .collect();
    if let Some(&first) = ran_on.first() {
        fail_drawn!(r,
            "{call} returned at {}, but {} kept running after all_within returned: ops[{first}] \
             finished at {}, and could have done anything then (sent a request, written a file).",
            show(r.returned),
            ops_list(&ran_on),
            show(r.afterwards[first].finished.unwrap_or_default());
            try = "{CANCEL_LATE_OPS}"
        );
    }
}

/// Was every late op dropped (cancelled) by the time all_within returned?
pub fn judge_dropped(r: &Report) {
    let call = r.call();
    let _ = r.results();
    let end = show(r.returned);
    let alive: Vec<usize> = (0..r.delays.len())
        .filter(|&i| !r.at_return[i].dropped)
        .collect();
    let never_cancelled: Vec<usize> = alive
        .iter()
        .copied()
        .filter(|&i| !r.afterwards[i].dropped)
        .collect();
    if !never_cancelled.is_empty() {
        let n = never_cancelled.len();
        fail_drawn!(r,
            "{call} returned at {end}, but {} {} never cancelled: {} later {} still alive, \
             waiting (spawned tasks left detached, or futures kept or leaked somewhere).",
            ops_list(&never_cancelled),
            was(n),
            show(AFTERWARDS),
            if n == 1 { "it was" } else { "they were" };
            try = "{CANCEL_LATE_OPS}"
        );
    }
    if !alive.is_empty() {
        let n = alive.len();
        fail_drawn!(r,
            "{call} returned at {end}, but {} {} still alive when all_within returned (not dropped \
             yet), so whatever {} (a connection, a lock, a buffer) was not released: `abort()` \
             only asks tokio to cancel a task, which happens later.",
            ops_list(&alive),
            was(n),
            if n == 1 { "it holds" } else { "they hold" };
            try = "make sure late ops are gone before returning: drop the futures themselves \
                   (`timeout_at` in a `join_all` does), or wait for the aborted tasks: \
                   `JoinSet::shutdown().await`, or `handle.await` after `handle.abort()`."
        );
    }
}

/// The real time all_within took: waiting ops cost microseconds each.
pub fn judge_real_cost(r: &Report, bound: Duration) {
    check!(
        r.real < bound,
        "{} took {} of real time; waiting ops should cost microseconds each.",
        r.call(),
        grading::fmt_duration(r.real);
        try = "let tokio do the waiting (`timeout_at`, `join_all` or a `JoinSet`); don't poll in a \
               loop or scan every op each time one finishes."
    );
}
