//! Graded suite for exercise 1 (concurrent sleeps).
//!
//! Runs on tokio's paused clock: sleeps cost no real time and virtual time is
//! exact, so "took 3 s instead of 1 s" is a fact, not a guess. Real time is
//! measured too, to catch `std::thread::sleep`, which the paused clock cannot skip.

use std::time::Duration;

use ex01::{run_concurrently, sleepy};
use grading::{check, fail, fmt_duration, paused, timed, Timing};

/// Real time any paused-clock test may take before the watchdog stops it.
const WATCHDOG: Duration = Duration::from_secs(5);
const BLOCKED: &str = "Something blocks the thread: the paused clock makes every \
    `tokio::time::sleep` instant, but `std::thread::sleep` really waits.\n\
    Try: use `tokio::time::sleep(delay).await` in async code.";
/// Slack for tokio's 1 ms timer resolution.
const SLACK: Duration = Duration::from_millis(5);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// "3 sleeps of 1.0 s" or "sleeps of 2.0 s, 1.0 s and 3.0 s".
fn describe(tasks: &[(&str, Duration)]) -> String {
    let delays: Vec<Duration> = tasks.iter().map(|&(_, d)| d).collect();
    if delays.is_empty() {
        return "no sleeps".to_string();
    }
    if delays.windows(2).all(|w| w[0] == w[1]) {
        format!("{} sleeps of {}", delays.len(), fmt_duration(delays[0]))
    } else {
        let parts: Vec<String> = delays.iter().map(|&d| fmt_duration(d)).collect();
        let (last, rest) = parts.split_last().expect("at least two delays");
        format!("sleeps of {} and {last}", rest.join(", "))
    }
}

/// Runs `run_concurrently(tasks)` on the paused clock, measuring both clocks.
#[track_caller]
fn run(tasks: &[(&'static str, Duration)]) -> (Vec<String>, Timing) {
    let tasks = tasks.to_vec();
    paused(WATCHDOG, BLOCKED, move || async move {
        timed(run_concurrently(&tasks)).await
    })
}

/// The heart of the grader: did the sleeps overlap, block, or get skipped?
fn judge_timing(tasks: &[(&str, Duration)], t: Timing) {
    let longest = tasks.iter().map(|&(_, d)| d).max().unwrap_or_default();
    let sum: Duration = tasks.iter().map(|&(_, d)| d).sum();
    let what = describe(tasks);
    let took = fmt_duration(t.virtual_time);
    if t.virtual_time + SLACK < longest {
        if t.real >= longest / 2 {
            fail!(
                "{what} took {took} of tokio time but {} of real time: the sleeps blocked \
                 the thread instead of yielding to the runtime (`std::thread::sleep` in async code?).",
                fmt_duration(t.real);
                try = "`tokio::time::sleep(delay).await`: it lets the other tasks run while one waits."
            );
        }
        fail!(
            "{what} were done after only {took}: `run_concurrently` returned before the sleeps \
             finished (tasks spawned but never awaited?).";
            try = "wait for every task before returning: `join_all`, awaiting each `JoinHandle`, \
                   or `JoinSet::join_all`."
        );
    }
    if t.virtual_time > longest + SLACK {
        if t.virtual_time + SLACK >= sum {
            fail!(
                "{what} took {took} of (virtual) time: they ran one after another, so the \
                 total is the sum of the delays instead of the longest ({}).",
                fmt_duration(longest);
                try = "start them all before awaiting any, e.g. `futures::future::join_all` \
                       or a `tokio::task::JoinSet`."
            );
        }
        fail!(
            "{what} took {took} of (virtual) time, but running them all at once takes only \
             the longest delay, {}.",
            fmt_duration(longest);
            try = "start every sleep before awaiting any of them (`join_all` or a `JoinSet`)."
        );
    }
}

fn names(tasks: &[(&str, Duration)]) -> Vec<String> {
    tasks.iter().map(|&(n, _)| n.to_string()).collect()
}

/// Shows at most a handful of names, so a 10 000-name mismatch stays readable.
fn preview(names: &[String]) -> String {
    const SHOWN: usize = 5;
    if names.len() <= SHOWN {
        return format!("{names:?}");
    }
    format!("{:?}… ({} names)", &names[..SHOWN], names.len())
}

fn judge_names(tasks: &[(&str, Duration)], got: &[String]) {
    let want = names(tasks);
    if got == want {
        return;
    }
    let mut by_delay = tasks.to_vec();
    by_delay.sort_by_key(|&(_, d)| d);
    let (got_text, want_text) = (preview(got), preview(&want));
    if got == names(&by_delay) {
        fail!(
            "got the names {got_text}, in the order the sleeps finished; expected the input \
             order {want_text}.";
            try = "keep the results in input order: `join_all` does that, or collect \
                   (index, name) pairs and sort them."
        );
    }
    fail!("got the names {got_text}, expected {want_text} (the input order).");
}

#[test]
fn sleepy_returns_its_name_after_its_delay() {
    let (name, t) = paused(WATCHDOG, BLOCKED, || timed(sleepy("download", ms(1500))));
    check!(
        name == "download",
        "sleepy(\"download\", 1.5 s) returned {name:?}, expected \"download\"."
    );
    if t.virtual_time + SLACK < ms(1500) && t.real >= ms(700) {
        fail!(
            "sleepy(\"download\", 1.5 s) blocked the thread for {} of real time while tokio's \
             clock did not move: that is `std::thread::sleep`, which freezes every task.",
            fmt_duration(t.real);
            try = "`tokio::time::sleep(delay).await`."
        );
    }
    check!(
        t.virtual_time + SLACK >= ms(1500) && t.virtual_time <= ms(1500) + SLACK,
        "sleepy(\"download\", 1.5 s) took {} of (virtual) time, expected 1.5 s.",
        fmt_duration(t.virtual_time);
        try = "await `tokio::time::sleep(delay)` once, then return the name."
    );
}

#[test]
fn names_come_back_in_input_order() {
    let tasks = [
        ("download", secs(2)),
        ("upload", secs(1)),
        ("process", secs(3)),
    ];
    let (got, _) = run(&tasks);
    judge_names(&tasks, &got);
}

#[test]
fn three_one_second_sleeps_take_one_second() {
    let tasks = [("a", secs(1)), ("b", secs(1)), ("c", secs(1))];
    let (got, t) = run(&tasks);
    judge_timing(&tasks, t);
    judge_names(&tasks, &got);
}

#[test]
fn uneven_sleeps_take_the_longest_delay() {
    let tasks = [
        ("download", secs(2)),
        ("upload", secs(1)),
        ("process", secs(3)),
    ];
    let (got, t) = run(&tasks);
    judge_timing(&tasks, t);
    judge_names(&tasks, &got);
}

#[test]
fn blocking_sleep_is_caught() {
    // Short delays: a blocking mistake costs under a second of real time here.
    let tasks = [("a", ms(300)), ("b", ms(300)), ("c", ms(300))];
    let (got, t) = run(&tasks);
    judge_timing(&tasks, t);
    judge_names(&tasks, &got);
}

#[test]
fn spawned_tasks_are_waited_for() {
    let tasks = [("first", secs(1)), ("second", secs(2))];
    let (got, t) = run(&tasks);
    judge_names(&tasks, &got);
    judge_timing(&tasks, t);
}

#[test]
fn empty_input_gives_empty_output_at_once() {
    let (got, t) = run(&[]);
    check!(
        got.is_empty(),
        "run_concurrently(&[]) returned {got:?}, expected an empty Vec."
    );
    check!(
        t.virtual_time <= SLACK,
        "run_concurrently(&[]) took {} of (virtual) time; with nothing to do it should return at once.",
        fmt_duration(t.virtual_time)
    );
}

#[test]
fn ten_thousand_sleeps_take_the_longest_delay() {
    const N: usize = 10_000;
    let labels: Vec<String> = (0..N).map(|i| format!("task-{i}")).collect();
    let delays: Vec<Duration> = (0..N as u64).map(|i| ms(1 + i * 7919 % 5000)).collect();
    let tasks: Vec<(&'static str, Duration)> =
        labels.into_iter().map(|l| &*l.leak()).zip(delays).collect();
    let (got, t) = run(&tasks);
    judge_names(&tasks, &got);
    let longest = ms(5000);
    if t.virtual_time > longest + SLACK {
        fail!(
            "{N} sleeps of up to 5.0 s took {} of (virtual) time, expected 5.0 s: they did not \
             all run at once.",
            fmt_duration(t.virtual_time);
            try = "start every sleep before awaiting any (`join_all` or a `JoinSet`)."
        );
    }
    check!(
        t.virtual_time + SLACK >= longest,
        "{N} sleeps of up to 5.0 s were done after {} of (virtual) time: some never finished.",
        fmt_duration(t.virtual_time);
        try = "wait for every task before returning."
    );
    check!(
        t.real < Duration::from_secs(3),
        "{N} concurrent sleeps took {} of real time; waiting tasks should cost microseconds each.",
        fmt_duration(t.real);
        try = "let tokio do the waiting (`tokio::time::sleep`, `join_all`); don't poll or spin."
    );
}
