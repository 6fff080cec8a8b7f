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
use grading::{
    check, fail, fmt_duration, ms, paused, preview, secs, timed, Clock, Timeline, Timing,
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
fn totals(clock: Clock, took: Duration, correct: Duration, longest: Option<Duration>) -> String {
    let mut seen = Timeline::new("what your code took", clock).lane("total", &[(ms(0), took)]);
    let mut right =
        Timeline::new("what a correct solution takes", clock).lane("total", &[(ms(0), correct)]);
    if let Some(longest) = longest {
        seen = seen.mark("longest sleep", longest);
        right = right.mark("longest sleep", longest);
    }
    grading::picture(&seen, &right)
}

/// The real time taken, above the none a correct solution takes (its
/// sleeps cost no real time under the paused clock).
fn real_totals(tasks: &Tasks, took: Duration) -> String {
    totals(Clock::Real, took, Duration::ZERO, delays(tasks).max())
}

/// The tokio time taken, above the longest delay.
fn tokio_totals(tasks: &Tasks, took: Duration) -> String {
    let longest = delays(tasks).max();
    totals(Clock::Virtual, took, longest.unwrap_or_default(), longest)
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

/// The watchdog's diagnosis: the likely causes, most likely first. When
/// blocking sleeps of every delay would have ended long before the watchdog,
/// code that never ends (a loop) is far likelier than a sleep.
fn stuck(call: &str, tasks: &Tasks, watchdog: Duration) -> String {
    let sum: Duration = delays(tasks).sum();
    let spin = "an infinite loop or a busy-wait that never awaits: `loop {}`, `while \
                Instant::now() < end {}` (under the paused clock even tokio's clock stands still \
                while your code spins), or a loop that only calls `yield_now()`";
    let total = if sum > HOUR {
        "hours".to_string()
    } else {
        fmt_duration(sum)
    };
    let (first, second) = if sum * 3 / 2 < watchdog {
        let block = format!(
            "a call that blocks the thread for longer than the delays: `std::thread::sleep` of \
             these delays ({total} in all) would be over by now, but `block_on` inside async code \
             never ends"
        );
        (spin.to_string(), block)
    } else {
        let block = format!(
            "a blocking call such as `std::thread::sleep`: it really waits (the paused clock \
             skips only tokio's sleeps), and these delays add up to {total} when they block one \
             after another"
        );
        (block, spin.to_string())
    };
    format!(
        "{call} did not return. Likely causes, most likely first:\n1. {first};\n2. {second}.\n\
         Try: let tokio do every wait: `tokio::time::sleep(delay).await` in `sleepy`, and no \
         loop that waits without awaiting."
    )
}

/// Runs the future made by `make` on the paused clock, under the watchdog,
/// racing it against an hour of tokio time. `None`: still pending by then.
#[track_caller]
fn observe<T, F>(
    call: &str,
    tasks: &Tasks,
    watchdog: Duration,
    make: impl FnOnce() -> F + Send + 'static,
) -> (Option<T>, Timing)
where
    T: Send + 'static,
    F: Future<Output = T>,
{
    paused(
        watchdog,
        &stuck(call, tasks, watchdog),
        move || async move {
            let (output, t) = timed(tokio::time::timeout(HOUR, make())).await;
            (output.ok(), t)
        },
    )
}

/// Fails when the call was still pending after an hour of tokio time.
fn returned<T>(call: &str, tasks: &Tasks, output: Option<T>) -> T {
    let Some(output) = output else {
        let causes = if tasks.is_empty() {
            "`buffered(tasks.len())` or `buffer_unordered(tasks.len())`: a limit of 0 never \
             starts anything, so the stream never ends; or a channel receiver waiting for a \
             message that no task sends"
        } else {
            "a channel receiver waiting for more messages while a `Sender` is still alive \
             (`while let Some(..) = rx.recv().await` ends only when every `Sender` is dropped, \
             the original one included); or awaiting a task or a future that waits forever"
        };
        let over = match delays(tasks).max() {
            Some(longest) => format!(
                "long after its last sleep ({}) was over",
                fmt_duration(longest)
            ),
            None => "with no sleep to wait for".to_string(),
        };
        fail!(
            "{call} was still waiting after 1 hour of tokio time, {over}, with nothing left to \
             run: it waits for something that never happens. Likely causes: {causes}.{}",
            tokio_totals(tasks, HOUR);
            try = "make sure everything you await can finish: drop the last `Sender` before \
                   receiving (or receive exactly one message per task), and never use a limit \
                   of 0; `futures::future::join_all` needs none of this."
        );
    };
    output
}

/// Runs `run_concurrently(tasks)` on the paused clock, measuring both clocks.
#[track_caller]
fn run(tasks: &Tasks, watchdog: Duration) -> (String, Vec<String>, Timing) {
    let call = format!("run_concurrently({})", describe(tasks));
    let owned = tasks.to_vec();
    let (names, t) = observe(&call, tasks, watchdog, move || async move {
        run_concurrently(&owned).await
    });
    let names = returned(&call, tasks, names);
    (call, names, t)
}

/// The tokio time taken: the longest delay, not less (sleeps not waited
/// for, or waited for in real time) and not more (sleeps one after another).
fn judge_duration(call: &str, tasks: &Tasks, t: Timing) {
    let longest = delays(tasks).max().unwrap_or_default();
    let sum: Duration = delays(tasks).sum();
    let (took, real) = (fmt_duration(t.virtual_time), fmt_duration(t.real));
    if t.virtual_time + SLACK < longest {
        if t.real + SLACK >= longest / 2 {
            fail!(
                "{call} took {took} of tokio time but {real} of real time: the sleeps waited in \
                 real time, blocking the thread, instead of letting tokio's clock run \
                 (`std::thread::sleep` in async code?).{}",
                real_totals(tasks, t.real);
                try = "`tokio::time::sleep(delay).await`: it lets the other tasks run while one \
                       waits."
            );
        }
        fail!(
            "{call} returned after {took}, before its longest sleep ({}) was over: it returned \
             before the sleeps finished (tasks spawned but never awaited?).{}",
            fmt_duration(longest),
            tokio_totals(tasks, t.virtual_time);
            try = "wait for every task before returning: `join_all`, awaiting each `JoinHandle`, \
                   or `JoinSet::join_all`."
        );
    }
    if t.virtual_time > longest + SLACK {
        if t.virtual_time + SLACK >= sum {
            fail!(
                "{call} took {took} of (tokio) time: they ran one after another, so the total is \
                 the sum of the delays instead of the longest ({}).{}",
                fmt_duration(longest),
                tokio_totals(tasks, t.virtual_time);
                try = "start them all before awaiting any, e.g. `futures::future::join_all` or a \
                       `tokio::task::JoinSet`."
            );
        }
        fail!(
            "{call} took {took} of (tokio) time, more than the longest delay ({}) but less than \
             their sum: some sleeps waited for others to finish (a limit on how many run at \
             once, such as `buffered(100)`?).{}",
            fmt_duration(longest),
            tokio_totals(tasks, t.virtual_time);
            try = "start every sleep at once: `join_all` has no limit; `buffered(n)` runs only \
                   n at a time."
        );
    }
}

/// The names, in input order.
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
        fail!(
            "{call} gave the names {got_text}, in the order the sleeps finished; expected the \
             input order {want_text}.";
            try = "keep the results in input order: `join_all` does that, or collect \
                   (index, name) pairs and sort them."
        );
    }
    fail!("{call} gave the names {got_text}, expected {want_text} (the input order).");
}

#[test]
fn sleepy_returns_its_name_after_its_delay() {
    let delay = ms(250);
    let call = "sleepy(\"download\", 250 ms)";
    let tasks = [("download", delay)];
    let (name, t) = observe(call, &tasks, WATCHDOG, move || sleepy("download", delay));
    let name = returned(call, &tasks, name);
    check!(
        name == "download",
        "{call} returned {name:?}, expected \"download\"."
    );
    if t.virtual_time + SLACK < delay && t.real + SLACK >= delay {
        fail!(
            "{call} returned after {} of tokio time but {} of real time: it blocked the thread \
             while tokio's clock stood still, which is what `std::thread::sleep` does.{}",
            fmt_duration(t.virtual_time),
            fmt_duration(t.real),
            real_totals(&tasks, t.real);
            try = "`tokio::time::sleep(delay).await`."
        );
    }
    check!(
        t.virtual_time + SLACK >= delay && t.virtual_time <= delay + SLACK,
        "{call} took {} of (tokio) time, expected 250 ms.{}",
        fmt_duration(t.virtual_time),
        tokio_totals(&tasks, t.virtual_time);
        try = "await `tokio::time::sleep(delay)` once, then return the name."
    );
}

#[test]
fn names_come_back_in_input_order() {
    let tasks = [
        ("download", ms(20)),
        ("upload", ms(10)),
        ("process", ms(30)),
    ];
    let (call, got, _) = run(&tasks, WATCHDOG);
    judge_names(&call, &tasks, &got);
}

#[test]
fn three_equal_sleeps_take_as_long_as_one() {
    let tasks = [("a", ms(100)), ("b", ms(100)), ("c", ms(100))];
    let (call, _, t) = run(&tasks, WATCHDOG);
    judge_duration(&call, &tasks, t);
}

#[test]
fn uneven_sleeps_take_the_longest_delay() {
    let tasks = [
        ("download", ms(200)),
        ("upload", ms(100)),
        ("process", ms(300)),
    ];
    let (call, _, t) = run(&tasks, WATCHDOG);
    judge_duration(&call, &tasks, t);
}

#[test]
fn sleeps_do_not_block_the_thread() {
    let tasks = [("a", ms(300)), ("b", ms(300)), ("c", ms(300))];
    let (call, _, t) = run(&tasks, WATCHDOG_BLOCKING);
    check!(
        t.real < BLOCKED_AFTER,
        "{call} took {} of real time (and {} of tokio time), where tokio's sleeps cost none \
         under the paused clock: the sleeps waited for real, blocking the thread and every task \
         on it. Likely causes: `std::thread::sleep` in async code, or a busy-wait on \
         `std::time::Instant`.{}",
        fmt_duration(t.real),
        fmt_duration(t.virtual_time),
        real_totals(&tasks, t.real);
        try = "`tokio::time::sleep(delay).await`: the task waits, the thread does not."
    );
}

#[test]
fn run_concurrently_waits_for_every_sleep() {
    let tasks = [("first", ms(100)), ("second", ms(200))];
    let (call, _, t) = run(&tasks, WATCHDOG);
    // Waiting counts on either clock: sleeps that block (another test's
    // business) are waited for too.
    let waited = t.virtual_time.max(t.real);
    check!(
        waited + SLACK >= ms(200),
        "{call} returned after {} of tokio time ({} of real time), before its longest sleep \
         (200 ms) was over: it returned before the sleeps finished (tasks spawned but never \
         awaited?).{}",
        fmt_duration(t.virtual_time),
        fmt_duration(t.real),
        tokio_totals(&tasks, t.virtual_time);
        try = "wait for every task before returning: `join_all`, awaiting each `JoinHandle`, or \
               `JoinSet::join_all`."
    );
}

#[test]
fn empty_input_gives_empty_output_at_once() {
    let (call, got, t) = run(&[], WATCHDOG);
    check!(
        got.is_empty(),
        "{call} returned {}, expected an empty Vec.",
        preview(&got, 5)
    );
    check!(
        t.virtual_time <= SLACK,
        "{call} took {} of (tokio) time; with nothing to do it should return at once.{}",
        fmt_duration(t.virtual_time),
        tokio_totals(&[], t.virtual_time)
    );
}

#[test]
fn ten_thousand_sleeps_take_the_longest_delay() {
    const N: usize = 10_000;
    let labels: Vec<String> = (0..N).map(|i| format!("task-{i}")).collect();
    let delays: Vec<Duration> = (0..N as u64).map(|i| ms(1 + i * 7919 % 5000)).collect();
    let tasks: Vec<(&'static str, Duration)> =
        labels.into_iter().map(|l| &*l.leak()).zip(delays).collect();
    let (call, _, t) = run(&tasks, WATCHDOG_10K);
    judge_duration(&call, &tasks, t);
    check!(
        t.real < secs(3),
        "{call} took {} of real time; waiting tasks should cost microseconds each.",
        fmt_duration(t.real);
        try = "let tokio do the waiting (`tokio::time::sleep`, `join_all`); don't poll or spin."
    );
}
