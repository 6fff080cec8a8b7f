//! The judges: each checks one promise of the contract, and explains a
//! failure with what the probe ops logged (when each started, finished and
//! was dropped), so that the message says *why*, not only *that*. A cause is
//! asserted only when those logs prove it (ops that ran strictly one at a
//! time, a return exactly one deadline after an op was done, an op seen
//! running after the return...); otherwise the likely causes are listed.

use std::time::Duration;

use ex02::TimedOut;
use grading::{fmt_duration_exact as show, ms, preview, was, Cause, Clock, Diagnosis, Timeline};

use crate::probe::{value, Log, Report, Single, AFTERWARDS, NEVER};

/// Slack for tokio's 1 ms timer resolution.
const SLACK: Duration = ms(5);

const START_TOGETHER: &str = "start every op at once and give them all the same deadline: \
    `let deadline = tokio::time::Instant::now() + deadline;`, wrap each op in \
    `tokio::time::timeout_at(deadline, op)` and await them together with `join_all`.";

const ONE_INSTANT: &str = "compute the deadline instant once, at the start of the call (`let \
    deadline = tokio::time::Instant::now() + deadline;`, before any loop), and race every op \
    against that same instant: `timeout_at(deadline, ..)`. A `timeout(deadline, ..)`, or an \
    instant computed inside the loop, restarts the clock for each op.";

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

/// Whether two instants are the same, but for the timer's resolution over
/// `steps` timers one after another.
fn same_time(a: Duration, b: Duration, steps: usize) -> bool {
    let tolerance = SLACK + ms(steps as u64);
    a + tolerance >= b && b + tolerance >= a
}

// ---------------------------------------------------------------------------
// The pictures: when each op ran, above what a correct solution does.

/// When an op ran, as the probe saw it: from its first poll to its last
/// line or, if it was dropped unfinished, to its drop. An end the probe did
/// not see (still running when the grader stopped looking, or dropped
/// outside the runtime) is `None`: drawn as unknown, never as running.
fn ran(log: &Log) -> Vec<(Duration, Option<Duration>)> {
    let Some(start) = log.started else {
        return Vec::new();
    };
    vec![(start, log.finished.or(log.dropped_at))]
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
    /// A failure's diagnosis: `observed`, with the picture under it
    /// (recorded only when the test fails with it).
    fn diagnose(&self, observed: String) -> Diagnosis {
        let returned = self.returned;
        let seen = Timeline::new("what your code did", Clock::Virtual)
            .lane_partly_seen("op", &ran(&self.afterwards), returned + AFTERWARDS)
            .mark("limit", self.limit)
            .mark("returned", returned);
        let end = runs_until(self.delay_ms, self.limit)[0].1;
        let correct = Timeline::new("what a correct solution does", Clock::Virtual)
            .lane("op", &runs_until(self.delay_ms, self.limit))
            .mark("limit", self.limit)
            .mark("returned", end);
        Diagnosis::new(observed).picture(seen, correct)
    }
}

impl Report {
    /// What the ops did, as the probes saw it (the picture's upper half).
    fn observed(&self) -> Timeline {
        let until = self.returned + AFTERWARDS;
        let seen = self.afterwards.iter().enumerate().fold(
            Timeline::new("what your code did", Clock::Virtual),
            |t, (i, log)| t.lane_partly_seen(&format!("op {i}"), &ran(log), until),
        );
        seen.mark("deadline", self.deadline)
            .mark("returned", self.returned)
    }

    /// A failure's diagnosis: `observed`, with the picture under it
    /// (recorded only when the test fails with it).
    fn diagnose(&self, observed: String) -> Diagnosis {
        let mut correct = Timeline::new("what a correct solution does", Clock::Virtual);
        for (i, &delay) in self.delays.iter().enumerate() {
            correct = correct.lane(&format!("op {i}"), &runs_until(delay, self.deadline));
        }
        let correct = correct
            .mark("deadline", self.deadline)
            .mark("returned", self.expected_end());
        Diagnosis::new(observed).picture(self.observed(), correct)
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
        let d = r.diagnose(format!(
            "{call} was still waiting after 1 hour of tokio time, with nothing left to run: it \
             waits for the op to finish instead of giving up at the limit."
        ));
        // The op was still alive: nothing limited the wait for it.
        let d = if r.at_return.dropped {
            d
        } else {
            d.cause(Cause::NoTimeout)
        };
        d.advice("race the op against a timer: `tokio::time::timeout(limit, op)`.")
            .fail();
    };
    let end = show(r.returned);
    let in_time = delay_ms != NEVER && ms(delay_ms) < limit;
    match (in_time, got) {
        (true, Ok(v)) => {
            if v != value(0) {
                Diagnosis::new(format!(
                    "{call} gave Ok({v}), but the op returned {}.",
                    value(0)
                ))
                .advice("return the op's own output: `Ok(output)`.")
                .fail();
            }
        }
        (true, Err(TimedOut)) => {
            let late = match r.at_return.started {
                None => Some("was never polled at all".to_string()),
                Some(s) if s > SLACK => Some(format!("was first polled only at {}", show(s))),
                Some(_) => None,
            };
            if let Some(late) = late {
                // The op and the timer ran one after the other, not together.
                r.diagnose(format!(
                    "{call} gave Err(TimedOut) after {end}, but the op finishes after {}, within \
                     the limit. The op {late}: it did not run while with_timeout waited. A \
                     future does nothing until it is polled (unlike `asyncio.create_task`, \
                     creating it starts nothing), so waiting first and looking at the op \
                     afterwards gives it no time at all.",
                    show_delay(delay_ms)
                ))
                .cause(Cause::Sequential)
                .advice(
                    "poll the op and the timer at the same time: \
                     `tokio::time::timeout(limit, op)` (or `tokio::select!` over both).",
                )
                .fail();
            }
            r.diagnose(format!(
                "{call} gave Err(TimedOut) after {end}, but the op finishes after {}, within the \
                 limit.",
                show_delay(delay_ms)
            ))
            .advice(
                "give `Ok(output)` when the op finishes first; `Err(TimedOut)` only when the \
                 limit passes first, e.g. with `tokio::time::timeout(limit, op)`.",
            )
            .fail();
        }
        (false, Ok(_)) => r
            .diagnose(format!(
                "{call} gave Ok after {end}: the op ran to its end although it needs more than \
                 the limit; nothing stopped it at {}.",
                show(limit)
            ))
            .cause(Cause::NoTimeout)
            .advice(
                "race the op against a timer: `tokio::time::timeout(limit, op)`, then turn its \
                 error into `TimedOut`.",
            )
            .fail(),
        (false, Err(TimedOut)) => {}
    }
    let expected = if in_time { ms(delay_ms) } else { limit };
    if r.returned > expected + SLACK {
        if !in_time && r.at_return.finished.is_some() {
            r.diagnose(format!(
                "{call} returned Err(TimedOut) only after {end}, when the op finished: it awaited \
                 the op to the end and compared the time afterwards, instead of giving up at the \
                 limit."
            ))
            .cause(Cause::NoTimeout)
            .advice(
                "race the op against a timer so that waiting stops at the limit: \
                 `tokio::time::timeout(limit, op)` (it drops the op when time is up).",
            )
            .fail();
        }
        r.diagnose(format!(
            "{call} returned after {end}, expected {} ({}).",
            show(expected),
            if in_time {
                "when the op is done"
            } else {
                "the limit"
            }
        ))
        .advice("return as soon as the op is done or the limit passes: `tokio::time::timeout`.")
        .fail();
    }
    if r.returned + SLACK < expected {
        r.diagnose(format!(
            "{call} returned after only {end}, expected {}.",
            show(expected)
        ))
        .advice("await the op (with the limit) before returning.")
        .fail();
    }
    if r.at_return.finished.is_none() && r.afterwards.finished.is_some() {
        r.diagnose(format!(
            "{call} returned at {end}, but the op kept running and finished at {}: a timed-out op \
             must be cancelled.",
            show(r.afterwards.finished.unwrap_or_default())
        ))
        .cause(Cause::NotCancelled)
        .advice("drop the op when the limit passes; `tokio::time::timeout` does that.")
        .fail();
    }
    if !r.at_return.dropped {
        r.diagnose(format!(
            "{call} returned at {end}, but the op had not been dropped yet: whatever it holds is \
             not released."
        ))
        .cause(if in_time {
            Cause::ResourceLeaked
        } else {
            Cause::NotCancelled
        })
        .advice(
            "let the op be dropped when with_timeout returns (don't keep it, leak it or spawn \
             it); `tokio::time::timeout` does that.",
        )
        .fail();
    }
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

    /// What the ops take one after another, each cut off at the deadline:
    /// the total of ops awaited in turn, each with its own timeout.
    fn in_turn_total(&self) -> Duration {
        self.delays
            .iter()
            .map(|&d| {
                if d == NEVER {
                    self.deadline
                } else {
                    ms(d).min(self.deadline)
                }
            })
            .sum()
    }

    /// The first op that did not start with the call, and when it started
    /// (`None`: never).
    fn late_start(&self) -> Option<(usize, Option<Duration>)> {
        self.at_return
            .iter()
            .enumerate()
            .find(|(_, log)| log.started.is_none_or(|s| s > SLACK))
            .map(|(i, log)| (i, log.started))
    }

    /// Whether the ops ran strictly one at a time: each was seen to end
    /// (finish or drop) and no two overlapped, in the picture's terms.
    fn one_at_a_time(&self) -> bool {
        let seen = self.observed();
        self.delays.len() >= 2 && !seen.has_unseen_ends() && seen.peak() <= 1
    }

    /// The results; fails if the call was still pending when declared stuck.
    fn results(&self) -> &[Option<u32>] {
        let call = self.call();
        let Some(got) = &self.got else {
            let waited = format!(
                "{call} was still waiting after {} of tokio time, an hour more than its ops take \
                 even one after another, each cut off at the deadline ({}), with nothing left to \
                 run (tokio's paused clock moves on only when every task waits)",
                show(self.stuck_after),
                show(self.in_turn_total())
            );
            // The grader's own timeout dropped whatever was left when it
            // gave up: an op dropped only then was alive until the end.
            let gone = |log: &Log| log.dropped_at.is_some_and(|t| t + SLACK < self.returned);
            let alive = (0..self.delays.len())
                .find(|&i| self.delays[i] == NEVER && !gone(&self.at_return[i]));
            if let Some(i) = alive {
                self.diagnose(format!(
                    "{waited}: it waits for ops[{i}], which never finishes and was never dropped, \
                     instead of stopping at the deadline."
                ))
                .candidates([Cause::NoTimeout])
                .advice(
                    "race every op against the deadline: `tokio::time::timeout_at(deadline, op)`.",
                )
                .fail();
            }
            let settled = self
                .at_return
                .iter()
                .all(|l| l.finished.is_some() || gone(l));
            let ops = if settled {
                "every op had finished or been dropped by then, so "
            } else {
                ""
            };
            self.diagnose(format!(
                "{waited}: {ops}it waits for something that never happens. Likely causes: a \
                 channel receiver whose last `Sender` is never dropped (`while let Some(..) = \
                 rx.recv().await` ends only when every `Sender` is gone), or a future that \
                 waits forever."
            ))
            .candidates([Cause::ChannelNeverClosed])
            .advice(
                "make sure everything you await can finish, and race every op against the \
                 deadline: `tokio::time::timeout_at(deadline, op)` in one `join_all` needs no \
                 channel.",
            )
            .fail();
        };
        got
    }

    /// When not every op started with the call: the diagnosis the logs
    /// support. Ops that ran strictly one at a time prove that they were
    /// awaited in turn; ops that overlapped but did not all start at once
    /// point to a limit or batches.
    fn not_at_once(&self) -> Option<Diagnosis> {
        let (i, started) = self.late_start()?;
        let (call, end) = (self.call(), show(self.returned));
        let when = started.map_or("was never started".to_string(), |s| {
            format!("started only at {}", show(s))
        });
        if !self.one_at_a_time() {
            let d = self.diagnose(format!(
                "{call}: ops[{i}] {when}, while other ops had run at the same time: not every op \
                 started with the call. Likely causes: a limit on how many ops run at once, or \
                 batches of ops awaited one after another."
            ));
            return Some(
                d.candidates([Cause::UnderUsed, Cause::Batches])
                    .advice(START_TOGETHER),
            );
        }
        let in_turn = format!("ops[{i}] {when}, and no two ops ran at the same time");
        let results = self.got.as_deref().unwrap_or_default();
        let want = self.want();
        let observed = if self.returned > self.deadline + SLACK {
            if same_time(self.returned, self.in_turn_total(), self.delays.len()) {
                format!(
                    "{call} returned after {end}, past the deadline: {in_turn}. The ops ran one \
                     after another, each with its own timeout, and their times added up (each op \
                     taking its time or the whole deadline, {} in all) instead of sharing one \
                     deadline.",
                    show(self.in_turn_total())
                )
            } else {
                format!(
                    "{call} returned after {end}, past the deadline: {in_turn}. The ops ran one \
                     after another, and their times added up."
                )
            }
        } else if results != want.as_slice() {
            format!(
                "{call}: {in_turn}. The ops ran one after another, and the later ones got only \
                 what was left of the deadline, or nothing (results: {}, expected {}).",
                preview(results, 6),
                preview(&want, 6)
            )
        } else if self.returned > self.expected_end() + SLACK {
            format!(
                "{call} returned after {end}, expected {}: {in_turn}. The ops ran one after \
                 another, so their times added up.",
                show(self.expected_end())
            )
        } else {
            format!(
                "{call}: {in_turn}. The ops ran one after another instead of all at once. The \
                 results happen to be right here, but three ops of 0.8 x the deadline each would \
                 not all make it."
            )
        };
        Some(
            self.diagnose(observed)
                .cause(Cause::Sequential)
                .advice(START_TOGETHER),
        )
    }
}

/// Did every op start at once? Ops run one after another show it in their
/// start times, whatever the results.
pub fn judge_start(r: &Report) {
    let _ = r.results();
    if let Some(d) = r.not_at_once() {
        d.fail();
    }
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
        // Ops not started together explain any lateness first.
        if let Some(d) = r.not_at_once() {
            d.fail();
        }
        let past_deadline = r.returned > deadline + SLACK;
        let every_op_finished = r.at_return.iter().all(|l| l.finished.is_some());
        let last_finish = r.at_return.iter().filter_map(|l| l.finished).max();
        if past_deadline
            && every_op_finished
            && last_finish.is_some_and(|f| f + SLACK >= r.returned)
        {
            r.diagnose(format!(
                "{call} returned after {end}, when its slowest op finished, although the deadline \
                 was {}: every op ran to its end and none was cut off at the deadline, so \
                 all_within waited for every op with no time limit.",
                show(deadline)
            ))
            .cause(Cause::NoTimeout)
            .advice(
                "stop waiting at the deadline: race each op against it with \
                 `tokio::time::timeout_at(deadline, op)`; an op cut off there is dropped, which \
                 cancels it.",
            )
            .fail();
        }
        if r.delays.is_empty() {
            r.diagnose(format!(
                "{call} returned after {end}: with no op to wait for, all_within waited out the \
                 whole deadline instead of returning at once."
            ))
            .advice(
                "return as soon as every op is done (for no ops: at once); don't sleep until the \
                 deadline.",
            )
            .fail();
        }
        if expected_end < deadline && r.returned + SLACK >= deadline {
            r.diagnose(format!(
                "{call} returned after {end}, although every op was done after {}: all_within \
                 waited out the whole deadline instead of returning as soon as the last op was \
                 done.",
                show(expected_end)
            ))
            .advice(
                "don't sleep until the deadline; wait for the ops themselves, with the deadline \
                 as an upper bound: `timeout_at(deadline, op)` for each, all in one `join_all`.",
            )
            .fail();
        }
        if past_deadline {
            // Every op started at once (else `not_at_once` spoke). A return
            // exactly one deadline after an op was done is a timeout that
            // restarted when the wait for the next op began.
            let restarted = r.afterwards.iter().enumerate().find_map(|(j, log)| {
                let done = log.finished.or(log.dropped_at)?;
                same_time(done + deadline, r.returned, 1).then_some((j, done))
            });
            if let Some((j, done)) = restarted {
                r.diagnose(format!(
                    "{call} returned after {end}, past its deadline ({}), although every op \
                     started at once: exactly one deadline after ops[{j}] was done ({}). The \
                     deadline restarted when all_within began waiting for the next op, so the \
                     later ops were given more than the deadline: it is one instant for every op, \
                     counted from the call.",
                    show(deadline),
                    show(done)
                ))
                .cause(Cause::DeadlinePerOp)
                .advice(ONE_INSTANT)
                .fail();
            }
            r.diagnose(format!(
                "{call} returned after {end}, past its deadline ({}), although every op started \
                 at once. Likely causes: each op got a fresh `timeout(deadline, ..)` when \
                 all_within began waiting for it, one after another, so the later ones were \
                 given more than the deadline; or a wait with no time limit.",
                show(deadline)
            ))
            .candidates([Cause::DeadlinePerOp, Cause::NoTimeout])
            .advice(ONE_INSTANT)
            .fail();
        }
        r.diagnose(format!(
            "{call} returned after {end}, expected {} ({what_end}).",
            show(expected_end)
        ))
        .advice("return as soon as every op is done or the deadline passes, whichever is first.")
        .fail();
    }
    if r.returned + SLACK < expected_end {
        r.diagnose(format!(
            "{call} returned after only {end}, expected {} ({what_end}): it gave up before the \
             ops were done and before the deadline (results: {}).",
            show(expected_end),
            preview(r.results(), 6)
        ))
        .advice("await the ops, with the deadline as a limit, before returning.")
        .fail();
    }
}

/// Are the results right: `Some(output)` for each op in time, `None` for
/// the late ones, each at its op's position?
pub fn judge_results(r: &Report) {
    let (call, got, want) = (r.call(), r.results(), r.want());
    if got.len() != want.len() {
        Diagnosis::new(format!(
            "{call} returned {} results for {} ops: expected one Option per op ({}).",
            got.len(),
            want.len(),
            preview(&want, 6)
        ))
        .advice(
            "give `None` for each op that missed the deadline, so the results line up with `ops`.",
        )
        .fail();
    }
    if got == want {
        return;
    }
    let (got_text, want_text) = (preview(got, 6), preview(&want, 6));
    let mut in_finish_order: Vec<usize> = (0..want.len()).filter(|&i| r.in_time(i)).collect();
    in_finish_order.sort_by_key(|&i| r.delays[i]);
    let finish_order: Vec<u32> = in_finish_order.iter().map(|&i| value(i)).collect();
    let got_values: Vec<u32> = got.iter().flatten().copied().collect();
    if got_values == finish_order {
        r.diagnose(format!(
            "{call} gave {got_text}: the results are in the order the ops finished; expected \
             each at its op's position: {want_text}."
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "keep input order: `join_all` does; with a JoinSet, spawn `async move { (index, \
             op.await) }` and store each output at `results[index]`.",
        )
        .fail();
    }
    // Ops not started together explain wrong results first.
    if let Some(d) = r.not_at_once() {
        d.fail();
    }
    let lost: Vec<usize> = (0..want.len())
        .filter(|&i| want[i].is_some() && got[i].is_none())
        .collect();
    let lost_finished = lost.iter().all(|&i| r.at_return[i].finished.is_some());
    if got.iter().all(Option::is_none) && !lost.is_empty() && lost_finished {
        r.diagnose(format!(
            "{call} gave {got_text}, None for every op, even for ops that finished in time ({}): \
             one timeout around all the ops together throws away the outputs of those that were \
             done (`join_all` gives nothing until every op is done).",
            ops_list(&lost)
        ))
        .advice(
            "put the deadline on each op instead: `timeout_at(deadline, op)` for each, inside \
             the `join_all`, so every op keeps its own result.",
        )
        .fail();
    }
    let i = (0..want.len())
        .find(|&i| got[i] != want[i])
        .unwrap_or_default();
    let delay = show_delay(r.delays[i]);
    if want[i].is_some() {
        r.diagnose(format!(
            "{call} gave {got_text}: ops[{i}] takes {delay}, before the deadline, so its result \
             should be {:?}, not {:?} (expected {want_text}).",
            want[i], got[i]
        ))
        .advice("give `Some(output)` for every op that finished in time, at its position.")
        .fail();
    }
    if r.returned > r.deadline + SLACK && r.at_return[i].finished.is_some() {
        r.diagnose(format!(
            "{call} gave {got_text}: ops[{i}] takes {delay}, past the deadline ({}), yet its \
             result is {:?}: all_within kept waiting for it and returned only after {}, while \
             every op ran at the same time. Likely causes: each op got a fresh `timeout(deadline, \
             ..)` when all_within began waiting for it, one after another, so the later ones \
             were given more than the deadline; or a wait with no time limit (expected \
             {want_text}).",
            show(r.deadline),
            got[i],
            show(r.returned)
        ))
        .candidates([Cause::DeadlinePerOp, Cause::NoTimeout])
        .advice(ONE_INSTANT)
        .fail();
    }
    r.diagnose(format!(
        "{call} gave {got_text}: ops[{i}] takes {delay}, past the deadline, so its result should \
         be None, not {:?} (expected {want_text}).",
        got[i]
    ))
    .advice("give `None` for ops that did not finish by the deadline.")
    .fail();
}

/// Did a late op run another line after all_within returned?
pub fn judge_no_late_runs(r: &Report) {
    let call = r.call();
    let _ = r.results();
    let ran_on: Vec<usize> = (0..r.delays.len())
        .filter(|&i| r.at_return[i].finished.is_none() && r.afterwards[i].finished.is_some())
        .collect();
    if let Some(&first) = ran_on.first() {
        r.diagnose(format!(
            "{call} returned at {}, but {} kept running after all_within returned: ops[{first}] \
             finished at {}, and could have done anything then (sent a request, written a file).",
            show(r.returned),
            ops_list(&ran_on),
            show(r.afterwards[first].finished.unwrap_or_default())
        ))
        .cause(Cause::NotCancelled)
        .advice(CANCEL_LATE_OPS)
        .fail();
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
        r.diagnose(format!(
            "{call} returned at {end}, but {} {} never cancelled: {} later {} still alive, \
             waiting (spawned tasks left detached, or futures kept or leaked somewhere).",
            ops_list(&never_cancelled),
            was(n),
            show(AFTERWARDS),
            if n == 1 { "it was" } else { "they were" }
        ))
        .cause(Cause::NotCancelled)
        .advice(CANCEL_LATE_OPS)
        .fail();
    }
    if !alive.is_empty() {
        let n = alive.len();
        r.diagnose(format!(
            "{call} returned at {end}, but {} {} still alive when all_within returned (not \
             dropped yet), so whatever {} (a connection, a lock, a buffer) was not released: \
             `abort()` only asks tokio to cancel a task, which happens later.",
            ops_list(&alive),
            was(n),
            if n == 1 { "it holds" } else { "they hold" }
        ))
        .cause(Cause::NotCancelled)
        .advice(
            "make sure late ops are gone before returning: drop the futures themselves \
             (`timeout_at` in a `join_all` does), or wait for the aborted tasks: \
             `JoinSet::shutdown().await`, or `handle.await` after `handle.abort()`.",
        )
        .fail();
    }
}

/// The real time all_within took, against `reference`: the grader's own
/// all_within on the same ops, timed on this machine just now. Waiting ops
/// cost microseconds each; scanning every op each time one finishes costs
/// far more, and only that exceeds ten times the reference (at least 1 s).
pub fn judge_real_cost(r: &Report, reference: Duration) {
    let bound = (reference * 10).max(ms(1000));
    if r.real > bound {
        Diagnosis::new(format!(
            "{} took {} of real time, more than ten times what the grader's own all_within took \
             for the same ops on this machine just now ({}): waiting ops should cost \
             microseconds each.",
            r.call(),
            grading::fmt_duration(r.real),
            grading::fmt_duration(reference)
        ))
        .advice(
            "let tokio do the waiting (`timeout_at`, `join_all` or a `JoinSet`); don't poll in a \
             loop or scan every op each time one finishes.",
        )
        .fail();
    }
}
