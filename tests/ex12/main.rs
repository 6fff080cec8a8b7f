//! Graded suite for exercise 12 (cancellation and graceful shutdown).
//!
//! Every test plays a small scripted timeline on tokio's paused clock, where
//! every instant is exact and a "1 h" wait costs microseconds: a client task
//! sends request ids at given instants, the test cancels the token at a given
//! instant (like a signal handler would), and the channel stays open until
//! the script closes it, or until "the clients leave" an hour later.
//!
//! The handlers are probes (`probe.rs`): each logs when it started and
//! finished and when its future was dropped (a guard lives inside it). After
//! `serve` returns, the clock runs on for 100 s more, so a handler left
//! running would finish then, and is caught. Where the real time `serve`
//! took went is measured too (the kernel's account of its thread: running,
//! waiting for a core, asleep): on the paused clock waiting is free, so a
//! thread asleep for long was blocked, while real time spent waiting for a
//! core is only a busy machine. The judges (`judge.rs`) then say *why* a run
//! is wrong: a request started late, after the shutdown, was abandoned too
//! early, kept running... Each test applies the preconditions (serve did not
//! panic or block, and started every request as it arrived: the script's
//! fates assume it), then the checks its name promises; the 1000-request
//! test applies them all.

mod judge;
mod probe;
mod script;

use std::time::Duration;

use grading::{paused, secs, Cause, Diagnosis};

use probe::{play, run};
use script::{panicking, req, Script};

/// Real time a test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds (the 50-round test: a few dozen).
const WATCHDOG: Duration = secs(3);

/// The watchdog's diagnosis: serve kept the thread from going back to
/// tokio, by blocking it or by spinning; which one, a stopped thread does not
/// tell.
fn hung() -> Diagnosis {
    Diagnosis::new(
        "serve did not return, and tokio's paused clock could not move on: something blocks the \
         thread or spins. (Waiting in tokio costs no real time here: a serve that merely waits \
         for ever is stopped at 2 h of tokio time with a diagnosis.)",
    )
    .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
    .advice(
        "let tokio do the waiting: `tokio::select!` on `shutdown.cancelled()` and \
         `requests.recv()`, `join_next().await`, `tokio::time::timeout`. No \
         `std::thread::sleep`, no `blocking_recv`, no loop that polls `try_recv()` or \
         `is_cancelled()` (even with `yield_now()`: a runtime that is never idle never lets the \
         paused clock move).",
    )
}

#[test]
fn requests_run_concurrently() {
    // Five requests of 1 s at once, then the channel closes: all done at 1 s.
    let script = Script::with_close((1..=5).map(|id| req(id, 0, 1000)).collect(), 0);
    // (The preconditions check that every request started as it arrived.)
    judge::preconditions(&script, &run(&script));
}

#[test]
fn closed_channel_lets_every_request_finish() {
    // No shutdown: request 3 runs until 7 s, long after the channel closed.
    let script = Script::with_close(
        vec![req(1, 0, 3000), req(2, 1000, 1000), req(3, 2000, 5000)],
        2500,
    );
    let o = run(&script);
    judge::preconditions(&script, &o);
    judge::returned_on_time(&script, &o);
    judge::report_lists_the_right_ids(&script, &o);
}

#[test]
fn closed_channel_without_requests_returns_at_once() {
    let script = Script::with_close(vec![], 0);
    let o = run(&script);
    judge::preconditions(&script, &o);
    judge::returned_on_time(&script, &o);
}

#[test]
fn shutdown_with_nothing_in_flight_returns_at_once() {
    // Request 7 is long done when the shutdown comes, and the client keeps
    // its Sender open: serve must notice the token by itself, at 5 s.
    let script = Script::with_shutdown(vec![req(7, 0, 1000)], 5000, 2000);
    let o = run(&script);
    judge::preconditions(&script, &o);
    judge::returned_on_time(&script, &o);
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
    judge::preconditions(&script, &o);
    judge::returned_on_time(&script, &o);
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
    judge::preconditions(&script, &o);
    judge::returned_on_time(&script, &o);
    judge::report_lists_the_right_ids(&script, &o);
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
    judge::preconditions(&script, &o);
    judge::abandoned_were_stopped(&script, &o);
}

#[test]
fn no_new_requests_are_started_after_shutdown() {
    // Requests 20 and 21 are queued in the same instant as the shutdown;
    // 22 and 23 arrive during the grace period, while request 1 still runs.
    //
    // A select! without `biased;` picks at random among the branches that are
    // ready: it starts at a random branch and takes the first ready one from
    // there on. With the shutdown and the queued request ready, the shutdown
    // wins with odds of 1/2 (two branches), 1/3 or 2/3 (three, one of them
    // pending), and 3/4 at most with four branches (two pending ones placed
    // just before the shutdown). A round where the shutdown wins shows
    // nothing, so the scenario is played up to ROUNDS times: the mistake
    // slips through all of them with odds of (3/4)^50 = 5.7e-7 for the worst
    // four-branch loop, (2/3)^50 = 1.6e-9 for three branches and
    // (1/2)^50 = 8.9e-16 for the usual two. (A round costs well under a
    // millisecond of real time.)
    const ROUNDS: usize = 50;
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
    let outcomes = paused(WATCHDOG, hung(), move || async move {
        let mut outcomes = Vec::new();
        for _ in 0..ROUNDS {
            let o = play(&played).await;
            // Stop at the first round that shows a problem.
            let started_late = [20, 21, 22, 23]
                .iter()
                .any(|&id| o.afterwards(id).started.is_some());
            let blocked = judge::stall(&o).is_some() && !judge::as_scripted(&played, &o);
            let wrong = started_late || o.panic.is_some() || blocked;
            outcomes.push(o);
            if wrong {
                break;
            }
        }
        outcomes
    });
    for o in &outcomes {
        judge::preconditions(&script, o);
        judge::nothing_started_after_shutdown(&script, o);
    }
    if outcomes.len() != ROUNDS {
        Diagnosis::new(format!(
            "the grader played only {} of {ROUNDS} rounds.",
            outcomes.len()
        ))
        .fail();
    }
}

#[test]
fn the_report_lists_the_right_ids_sorted() {
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
    judge::preconditions(&script, &o);
    judge::report_is_right(&script, &o);
}

#[test]
fn a_handler_panic_is_passed_on() {
    // Request 2's handler panics at 2 s, during the grace period; request 3 is
    // abandoned when it ends at 2.5 s. serve must pass the panic on.
    let script = Script::with_shutdown(
        vec![req(1, 0, 1000), panicking(2, 0, 2000), req(3, 0, 60_000)],
        1500,
        1000,
    );
    judge::panic_passed_on(&script, &run(&script));
}

#[test]
fn a_thousand_requests() {
    // One request every 10 ms from 5 ms on, each needing 1.5 s; shutdown at
    // 5 s with 1 s of grace: 1..=450 complete, 451..=500 are abandoned, and
    // 501..=1000 come after the shutdown.
    let requests = (1..=1000)
        .map(|id| req(id, 5 + (id - 1) * 10, 1500))
        .collect();
    let script = Script {
        summary: Some(
            "requests 1 to 1000 arrive one every 10 ms from 5 ms on and each needs 1.5 s",
        ),
        ..Script::with_shutdown(requests, 5000, 1000)
    };
    judge::everything(&script, &run(&script));
}
