//! Graded suite for exercise 1 (concurrent sleeps).
//!
//! Runs on tokio's paused clock: tokio's sleeps cost no real time and virtual
//! time is exact, so "took 600 ms instead of 300 ms" is a fact, not a guess.
//! Real time is measured too: a sleep that really waits (`std::thread::sleep`)
//! is the one thing the paused clock cannot skip. The delays are a few hundred
//! milliseconds at most, so such a mistake costs little real time. Every call
//! is also raced against an hour of tokio time: code that waits for something
//! that never happens is reported at once, without waiting for the watchdog.
//!
//! Each test judges one thing, the one its name says: `judge_names` the
//! order of the names, `judge_duration` the tokio time taken, and the
//! blocking test the real time taken.
//!
//! The suite calls the student's `run_concurrently`, which calls their own
//! `sleepy`: it cannot see the sleeps one by one, only the total time. So
//! a failure about time draws that total (one lane, "total") above the
//! total of a correct solution.

use std::future::Future;
use std::time::Duration;

use ex01::{run_concurrently, sleepy};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use grading::{
    fmt_duration, in_input_order, ms, paused_diagnosing, preview, secs, timed, Cause, Clock,
    Diagnosis, OrFail, Timeline, Timing,
};

/// Real time a test may take before the watchdog stops it. A correct solution
/// needs well under a millisecond; blocking sleeps of every delay of a test
/// (600 ms at most) still end before it, so it fires only for code that never
/// ends.
const WATCHDOG: Duration = secs(1);
/// The blocking test's delays add up to 900 ms when they block one after another.
const WATCHDOG_BLOCKING: Duration = secs(2);
/// The 10 000-sleep test: a correct solution needs 0.1 to 0.5 s of real time.
const WATCHDOG_10K: Duration = secs(4);
/// Real time from which a call is judged to have waited for real (blocked):
/// half the blocking test's shortest delay, and over 100 times what a
/// correct solution needs even on a busy machine.
const BLOCKED_AFTER: Duration = ms(150);
/// Tokio time after which a call still pending is declared stuck: the paused
/// clock jumps there as soon as nothing is left to run, at no real cost.
const HOUR: Duration = secs(3600);
/// Slack for tokio's 1 ms timer resolution.
const SLACK: Duration = ms(5);

type Tasks = [(&'static str, Duration)];

/// The time your call took above the time a correct one takes, on `clock`,
/// with a mark at the longest sleep (if any).
fn record_totals(
    clock: Clock,
    took: Duration,
    correct: Duration,
    longest: Option<Duration>,
) -> String {
    let mut seen = Timeline::new("what your code took", clock).lane("total", &[(ms(0), took)]);
    let mut right =
        Timeline::new("what a correct solution takes", clock).lane("total", &[(ms(0), correct)]);
    if let Some(longest) = longest {
        seen = seen.mark("longest sleep", longest);
        right = right.mark("longest sleep", longest);
    }
    grading::record_picture(&seen, &right)
}

/// The real time taken, above the none a correct solution takes (its
/// sleeps cost no real time under the paused clock).
fn record_real_totals(tasks: &Tasks, took: Duration) -> String {
    record_totals(Clock::Real, took, Duration::ZERO, delays(tasks).max())
}

/// The tokio time taken, above the longest delay.
fn record_tokio_totals(tasks: &Tasks, took: Duration) -> String {
    let longest = delays(tasks).max();
    record_totals(Clock::Virtual, took, longest.unwrap_or_default(), longest)
}

fn delays(tasks: &Tasks) -> impl Iterator<Item = Duration> + '_ {
    tasks.iter().map(|&(_, d)| d)
}

/// `3 sleeps of 100 ms`, `sleeps of 200 ms, 100 ms and 300 ms`, or
/// `10000 sleeps of 1 ms to 5.0 s`.
fn describe(tasks: &Tasks) -> String {
    let all: Vec<Duration> = delays(tasks).collect();
    let (Some(min), Some(max)) = (all.iter().min(), all.iter().max()) else {
        return "no sleeps".to_string();
    };
    if min == max {
        return format!("{} sleeps of {}", all.len(), fmt_duration(*min));
    }
    if all.len() > 4 {
        let (min, max) = (fmt_duration(*min), fmt_duration(*max));
        return format!("{} sleeps of {min} to {max}", all.len());
    }
    let parts: Vec<String> = all.iter().map(|&d| fmt_duration(d)).collect();
    let (last, rest) = parts.split_last().expect("at least two delays");
    format!("sleeps of {} and {last}", rest.join(", "))
}

/// How far the student's future got: how often it was polled, and tokio's
/// clock (ms since the call) at its latest poll. Read by the watchdog's
/// diagnosis from another thread.
#[derive(Default)]
struct Progress {
    polls: AtomicU64,
    clock_ms: AtomicU64,
}

/// How long the watchdog's diagnosis watches the stuck call for progress.
const WINDOW: Duration = ms(300);

/// The watchdog's diagnosis, made when the real-time limit has passed. A
/// future still being polled, with tokio's clock moving, is not stuck: it
/// is slow (a busy machine), and if the clock is past the longest delay the
/// sleeps are not all running at once. A future no longer polled is stuck
/// in one poll: something blocks the thread or spins (the likely causes,
/// most likely first: when blocking sleeps of every delay would have ended
/// long before the watchdog, code that never ends is far likelier).
fn stuck(call: &str, tasks: &Tasks, watchdog: Duration, progress: &Progress) -> Diagnosis {
    let polls = progress.polls.load(Ordering::SeqCst);
    std::thread::sleep(WINDOW);
    if progress.polls.load(Ordering::SeqCst) > polls {
        let clock = ms(progress.clock_ms.load(Ordering::SeqCst));
        let longest = delays(tasks).max().unwrap_or_default();
        let sum: Duration = delays(tasks).sum();
        if clock > longest + SLACK {
            return Diagnosis::new(format!(
                "{call} was still running, its tokio clock at {} and moving on: past the longest \
                 delay ({}), so the sleeps were not all running at once. One after another they \
                 add up to {}.",
                fmt_duration(clock),
                fmt_duration(longest),
                fmt_duration(sum)
            ))
            .candidates([Cause::Sequential, Cause::UnderUsed, Cause::Batches])
            .advice(
                "start them all before awaiting any, e.g. `futures::future::join_all` or a \
                 `tokio::task::JoinSet`.",
            );
        }
        return Diagnosis::new(format!(
            "{call} was still running, its tokio clock at {} and moving on, when the test was \
             stopped: it is slow here (a busy machine?), not stuck.",
            fmt_duration(clock)
        ));
    }
    let sum: Duration = delays(tasks).sum();
    let spin = "an infinite loop or a busy-wait that never awaits: `loop {}`, `while \
                Instant::now() < end {}` (under the paused clock even tokio's clock stands still \
                while your code spins), or a loop that only calls `yield_now()`";
    let total = if sum > HOUR {
        "hours".to_string()
    } else {
        fmt_duration(sum)
    };
    let (first, second, causes) = if sum * 3 / 2 < watchdog {
        let block = format!(
            "a call that blocks the thread for longer than the delays: `std::thread::sleep` of \
             these delays ({total} in all) would be over by now, but `block_on` inside async code \
             never ends"
        );
        (
            spin.to_string(),
            block,
            [Cause::BusyLoop, Cause::BlockingInAsync],
        )
    } else {
        let block = format!(
            "a blocking call such as `std::thread::sleep`: it really waits (the paused clock \
             skips only tokio's sleeps), and these delays add up to {total} when they block one \
             after another"
        );
        (
            block,
            spin.to_string(),
            [Cause::BlockingInAsync, Cause::BusyLoop],
        )
    };
    Diagnosis::new(format!(
        "{call} did not return: one poll of it had not returned for at least {} (so nothing \
         else could run on the thread). Likely causes, most likely first:\n1. {first};\n2. \
         {second}.",
        fmt_duration(WINDOW)
    ))
    .candidates(causes)
    .advice(
        "let tokio do every wait: `tokio::time::sleep(delay).await` in `sleepy`, and no loop \
         that waits without awaiting.",
    )
}

/// Tokio time after which a call still pending is declared stuck: an hour
/// more than all its sleeps one after another, so that code that merely
/// runs them in turn (10 000 of them take hours) is seen returning, and
/// judged on the time it took, rather than taken for code that waits for
/// nothing. The paused clock jumps there at no real cost.
fn stuck_after(tasks: &Tasks) -> Duration {
    delays(tasks).sum::<Duration>() + HOUR
}

/// What a call of the student's code did.
struct Seen<T> {
    /// `None`: still pending after `stuck_after` of tokio time.
    output: Option<T>,
    t: Timing,
    /// The tokio time the student's own `sleepy` takes alone for the
    /// longest delay: measured after the call, and only when the call took
    /// longer than that delay (the evidence a diagnosis of a slow call needs:
    /// is `sleepy` itself right?).
    sleepy_alone: Option<Duration>,
}

/// Runs the future made by `make` on the paused clock, under the watchdog,
/// racing it against `stuck_after(tasks)` of tokio time.
#[track_caller]
fn observe<T, F>(
    call: &str,
    tasks: &Tasks,
    watchdog: Duration,
    make: impl FnOnce() -> F + Send + 'static,
) -> Seen<T>
where
    T: Send + 'static,
    F: Future<Output = T>,
{
    let limit = stuck_after(tasks);
    let longest = delays(tasks).max().unwrap_or_default();
    let progress = Arc::new(Progress::default());
    let seen = Arc::clone(&progress);
    let (call, owned) = (call.to_string(), tasks.to_vec());
    let diagnose = move || stuck(&call, &owned, watchdog, &progress);
    paused_diagnosing(watchdog, diagnose, move || async move {
        let origin = tokio::time::Instant::now();
        let mut call = Box::pin(make());
        // Notes every poll of the call, for the watchdog's diagnosis.
        let polled = std::future::poll_fn(move |cx| {
            let clock = u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX);
            seen.clock_ms.store(clock, Ordering::SeqCst);
            seen.polls.fetch_add(1, Ordering::SeqCst);
            call.as_mut().poll(cx)
        });
        let (output, t) = timed(tokio::time::timeout(limit, polled)).await;
        let output = output.ok();
        let mut sleepy_alone = None;
        if output.is_some() && t.virtual_time > longest + SLACK {
            let alone = timed(tokio::time::timeout(HOUR, sleepy("probe", longest))).await;
            sleepy_alone = Some(alone.1.virtual_time);
        }
        Seen {
            output,
            t,
            sleepy_alone,
        }
    })
}

/// Fails when the call was still pending after `stuck_after(tasks)`.
fn returned<T>(call: &str, tasks: &Tasks, output: Option<T>) -> T {
    let Some(output) = output else {
        let limit = stuck_after(tasks);
        let (over, causes, candidates) = if tasks.is_empty() {
            (
                "with no sleep to wait for".to_string(),
                "`buffered(tasks.len())` or `buffer_unordered(tasks.len())`: a limit of 0 never \
                 starts anything, so the stream never ends; or a channel receiver waiting for a \
                 message that no task sends",
                vec![Cause::UnderUsed, Cause::ChannelNeverClosed],
            )
        } else {
            (
                format!(
                    "an hour longer than all its sleeps would take even one after another ({})",
                    fmt_duration(delays(tasks).sum())
                ),
                "a channel receiver waiting for more messages while a `Sender` is still alive \
                 (`while let Some(..) = rx.recv().await` ends only when every `Sender` is \
                 dropped, the original one included); or awaiting a task or a future that \
                 waits forever",
                vec![Cause::ChannelNeverClosed],
            )
        };
        let longest = delays(tasks).max();
        let seen = Timeline::new("what your code took", Clock::Virtual).lane_partly_seen(
            "total",
            &[(ms(0), None)],
            limit,
        );
        let right = Timeline::new("what a correct solution takes", Clock::Virtual)
            .lane("total", &[(ms(0), longest.unwrap_or_default())]);
        let (seen, right) = match longest {
            Some(longest) => (
                seen.mark("longest sleep", longest),
                right.mark("longest sleep", longest),
            ),
            None => (seen, right),
        };
        let advice = if tasks.is_empty() {
            "never use a limit of 0 (`buffered(n)` with n = 0 never ends), and make sure \
             everything you await can finish; `futures::future::join_all` needs neither."
        } else {
            "make sure everything you await can finish: drop the last `Sender` before \
             receiving (or receive exactly one message per task); `futures::future::join_all` \
             needs none of this."
        };
        Diagnosis::new(format!(
            "{call} was still waiting after {} of tokio time, {over}, with nothing left to run \
             (tokio's paused clock moves on only when every task waits): it waits for something \
             that never happens. Likely causes: {causes}.{}",
            fmt_duration(limit),
            grading::record_picture(&seen, &right)
        ))
        .candidates(candidates)
        .advice(advice)
        .fail();
    };
    output
}

/// One call of `run_concurrently`: what it was, what it gave, how long it took.
struct Run {
    call: String,
    names: Vec<String>,
    t: Timing,
    sleepy_alone: Option<Duration>,
}

/// Runs `run_concurrently(tasks)` on the paused clock, measuring both clocks.
#[track_caller]
fn run(tasks: &Tasks, watchdog: Duration) -> Run {
    let call = format!("run_concurrently({})", describe(tasks));
    let owned = tasks.to_vec();
    let seen = observe(&call, tasks, watchdog, move || async move {
        run_concurrently(&owned).await
    });
    Run {
        names: returned(&call, tasks, seen.output),
        call,
        t: seen.t,
        sleepy_alone: seen.sleepy_alone,
    }
}

/// Whether the thread was blocked for real while tokio's clock stood still:
/// the tokio time is short of the longest delay (the sleeps did not wait on
/// tokio's clock), and the real time is at least every delay one after
/// another, which is what blocking waits on one thread add up to. Both
/// clocks are needed: real time alone could be a busy machine.
fn blocked(tasks: &Tasks, t: Timing) -> bool {
    let longest = delays(tasks).max().unwrap_or_default();
    let sum: Duration = delays(tasks).sum();
    t.virtual_time + SLACK < longest && t.real + SLACK >= sum
}

/// The tokio time taken: the longest delay, not less (sleeps not waited
/// for, or waited for in real time) and not more (sleeps one after another).
fn judge_duration(tasks: &Tasks, run: &Run) {
    let (call, t) = (&run.call, run.t);
    let longest = delays(tasks).max().unwrap_or_default();
    let sum: Duration = delays(tasks).sum();
    let (took, real) = (fmt_duration(t.virtual_time), fmt_duration(t.real));
    if t.virtual_time + SLACK < longest {
        if blocked(tasks, t) {
            Diagnosis::new(format!(
                "{call} took {took} of tokio time but {real} of real time, as long as all the \
                 delays one after another: the sleeps waited in real time, blocking the thread, \
                 instead of letting tokio's clock run (`std::thread::sleep` in async code, or a \
                 busy-wait on `std::time::Instant`?).{}",
                record_real_totals(tasks, t.real)
            ))
            .cause(Cause::BlockingInAsync)
            .advice(
                "`tokio::time::sleep(delay).await`: it lets the other tasks run while one waits.",
            )
            .fail();
        }
        Diagnosis::new(format!(
            "{call} returned after {took} of tokio time ({real} of real time), before its longest \
             sleep ({}) was over: it returned before the sleeps finished (tasks spawned but never \
             awaited?).{}",
            fmt_duration(longest),
            record_tokio_totals(tasks, t.virtual_time)
        ))
        .candidates([Cause::NeverJoined])
        .advice(
            "wait for every task before returning: `join_all`, awaiting each `JoinHandle`, or \
             `JoinSet::join_all`.",
        )
        .fail();
    }
    if t.virtual_time > longest + SLACK {
        let picture = record_tokio_totals(tasks, t.virtual_time);
        if let Some(alone) = run.sleepy_alone {
            if alone > longest + SLACK || alone + SLACK < longest {
                Diagnosis::new(format!(
                    "{call} took {took} of (tokio) time, expected the longest delay ({}); your \
                     `sleepy` alone takes {} for that delay, so the time is not about running \
                     them at once (`sleepy_returns_its_name_after_its_delay` says more).{picture}",
                    fmt_duration(longest),
                    fmt_duration(alone)
                ))
                .advice("make `sleepy` wait exactly its delay, once: `tokio::time::sleep(delay).await`.")
                .fail();
            }
        }
        // Timer resolution is 1 ms: each sleep in turn may add up to 1 ms.
        let rounding = ms(tasks.len() as u64) + SLACK;
        if t.virtual_time + SLACK >= sum && t.virtual_time <= sum + rounding {
            Diagnosis::new(format!(
                "{call} took {took} of (tokio) time, the sum of the delays: they ran one after \
                 another, instead of taking as long as the longest ({}).{picture}",
                fmt_duration(longest)
            ))
            .cause(Cause::Sequential)
            .advice(
                "start them all before awaiting any, e.g. `futures::future::join_all` or a \
                 `tokio::task::JoinSet`.",
            )
            .fail();
        }
        if t.virtual_time > sum {
            Diagnosis::new(format!(
                "{call} took {took} of (tokio) time, more than even all the delays one after \
                 another ({}); expected the longest delay ({}).{picture}",
                fmt_duration(sum),
                fmt_duration(longest)
            ))
            .advice("wait only for the sleeps, all at once: `futures::future::join_all`.")
            .fail();
        }
        Diagnosis::new(format!(
            "{call} took {took} of (tokio) time, more than the longest delay ({}) but less than \
             their sum: some sleeps started only after others had finished. Likely causes: a \
             limit on how many run at once (`buffered(100)`?), or batches awaited one after \
             another (`chunks(100)`?).{picture}",
            fmt_duration(longest)
        ))
        .candidates([Cause::UnderUsed, Cause::Batches])
        .advice(
            "start every sleep at once: `join_all` has no limit; `buffered(n)` runs only n at a \
             time.",
        )
        .fail();
    }
}

/// The names, in input order: the order the sleeps finished is named as
/// such; any other failure is `grading::in_input_order`'s.
fn judge_names(call: &str, tasks: &Tasks, got: &[String]) {
    let names =
        |tasks: &Tasks| -> Vec<String> { tasks.iter().map(|&(n, _)| n.to_string()).collect() };
    let want = names(tasks);
    if got == want {
        return;
    }
    let mut by_delay = tasks.to_vec();
    by_delay.sort_by_key(|&(_, d)| d);
    let (got_text, want_text) = (preview(got, 5), preview(&want, 5));
    if got == names(&by_delay) {
        Diagnosis::new(format!(
            "{call} gave the names {got_text}, in the order the sleeps finished; expected the \
             input order {want_text}."
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "keep the results in input order: `join_all` does that, or collect (index, name) \
             pairs and sort them.",
        )
        .fail();
    }
    in_input_order(got, &want).or_fail();
}

#[test]
fn sleepy_returns_its_name_after_its_delay() {
    let delay = ms(250);
    let call = "sleepy(\"download\", 250 ms)";
    let tasks = [("download", delay)];
    let seen = observe(call, &tasks, WATCHDOG, move || sleepy("download", delay));
    let (name, t) = (returned(call, &tasks, seen.output), seen.t);
    if name != "download" {
        Diagnosis::new(format!("{call} returned {name:?}, expected \"download\".")).fail();
    }
    if blocked(&tasks, t) {
        Diagnosis::new(format!(
            "{call} returned after {} of tokio time but {} of real time: it blocked the thread \
             while tokio's clock stood still (`std::thread::sleep`, or a busy-wait on \
             `std::time::Instant`?).{}",
            fmt_duration(t.virtual_time),
            fmt_duration(t.real),
            record_real_totals(&tasks, t.real)
        ))
        .cause(Cause::BlockingInAsync)
        .advice("`tokio::time::sleep(delay).await`.")
        .fail();
    }
    if t.virtual_time + SLACK < delay || t.virtual_time > delay + SLACK {
        Diagnosis::new(format!(
            "{call} took {} of (tokio) time, expected 250 ms.{}",
            fmt_duration(t.virtual_time),
            record_tokio_totals(&tasks, t.virtual_time)
        ))
        .advice("await `tokio::time::sleep(delay)` once, then return the name.")
        .fail();
    }
}

#[test]
fn names_come_back_in_input_order() {
    let tasks = [
        ("download", ms(20)),
        ("upload", ms(10)),
        ("process", ms(30)),
    ];
    let run = run(&tasks, WATCHDOG);
    judge_names(&run.call, &tasks, &run.names);
}

#[test]
fn three_equal_sleeps_take_as_long_as_one() {
    let tasks = [("a", ms(100)), ("b", ms(100)), ("c", ms(100))];
    judge_duration(&tasks, &run(&tasks, WATCHDOG));
}

#[test]
fn uneven_sleeps_take_the_longest_delay() {
    let tasks = [
        ("download", ms(200)),
        ("upload", ms(100)),
        ("process", ms(300)),
    ];
    judge_duration(&tasks, &run(&tasks, WATCHDOG));
}

#[test]
fn sleeps_do_not_block_the_thread() {
    let tasks = [("a", ms(300)), ("b", ms(300)), ("c", ms(300))];
    let run = run(&tasks, WATCHDOG_BLOCKING);
    let t = run.t;
    if t.real >= BLOCKED_AFTER {
        let observed = format!(
            "{} took {} of real time (and {} of tokio time), where tokio's sleeps cost none \
             under the paused clock",
            run.call,
            fmt_duration(t.real),
            fmt_duration(t.virtual_time),
        );
        let picture = record_real_totals(&tasks, t.real);
        let advice = "`tokio::time::sleep(delay).await`: the task waits, the thread does not.";
        if blocked(&tasks, t) {
            Diagnosis::new(format!(
                "{observed}: as long as all the delays one after another, while tokio's clock \
                 stood still. The sleeps waited for real, blocking the thread and every task on \
                 it (`std::thread::sleep` in async code, or a busy-wait on \
                 `std::time::Instant`?).{picture}"
            ))
            .cause(Cause::BlockingInAsync)
            .advice(advice)
            .fail();
        }
        Diagnosis::new(format!(
            "{observed}. Likely causes: `std::thread::sleep` in async code, or a busy-wait on \
             `std::time::Instant`.{picture}"
        ))
        .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
        .advice(advice)
        .fail();
    }
}

#[test]
fn run_concurrently_waits_for_every_sleep() {
    let tasks = [("first", ms(100)), ("second", ms(200))];
    let run = run(&tasks, WATCHDOG);
    let t = run.t;
    // Waiting counts on either clock: sleeps that block (another test's
    // business) are waited for too.
    let waited = t.virtual_time.max(t.real);
    if waited + SLACK < ms(200) {
        Diagnosis::new(format!(
            "{} returned after {} of tokio time ({} of real time), before its longest sleep \
             (200 ms) was over: it returned before the sleeps finished (tasks spawned but never \
             awaited?).{}",
            run.call,
            fmt_duration(t.virtual_time),
            fmt_duration(t.real),
            record_tokio_totals(&tasks, t.virtual_time)
        ))
        .candidates([Cause::NeverJoined])
        .advice(
            "wait for every task before returning: `join_all`, awaiting each `JoinHandle`, or \
             `JoinSet::join_all`.",
        )
        .fail();
    }
}

#[test]
fn empty_input_gives_empty_output_at_once() {
    let run = run(&[], WATCHDOG);
    if !run.names.is_empty() {
        Diagnosis::new(format!(
            "{} returned {}, expected an empty Vec.",
            run.call,
            preview(&run.names, 5)
        ))
        .fail();
    }
    if run.t.virtual_time > SLACK {
        Diagnosis::new(format!(
            "{} took {} of (tokio) time; with nothing to do it should return at once.{}",
            run.call,
            fmt_duration(run.t.virtual_time),
            record_tokio_totals(&[], run.t.virtual_time)
        ))
        .fail();
    }
}

#[test]
fn ten_thousand_sleeps_take_the_longest_delay() {
    const N: usize = 10_000;
    let labels: Vec<String> = (0..N).map(|i| format!("task-{i}")).collect();
    let delays: Vec<Duration> = (0..N as u64).map(|i| ms(1 + i * 7919 % 5000)).collect();
    let tasks: Vec<(&'static str, Duration)> =
        labels.into_iter().map(|l| &*l.leak()).zip(delays).collect();
    let run = run(&tasks, WATCHDOG_10K);
    judge_duration(&tasks, &run);
    if run.t.real >= secs(3) {
        Diagnosis::new(format!(
            "{} took {} of real time; waiting tasks should cost microseconds each.",
            run.call,
            fmt_duration(run.t.real)
        ))
        .advice("let tokio do the waiting (`tokio::time::sleep`, `join_all`); don't poll or spin.")
        .fail();
    }
}
