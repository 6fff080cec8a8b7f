//! Graded suite for exercise 2 (timeouts and a shared deadline).
//!
//! The ops handed to the student's code are probes (`probe.rs`): each one
//! logs when it started and finished and whether it has been dropped, so a
//! failure says *why* (the ops ran one after another, waited past the
//! deadline, kept running afterwards...), not only *that* it failed. Each
//! test applies the judges (`judge.rs`) of the promise its name makes.

mod judge;
mod probe;

use grading::secs;
use judge::{
    judge_dropped, judge_end, judge_no_late_runs, judge_one, judge_real_cost, judge_results,
    judge_start,
};
use probe::{calibrate, run_all, run_one, NEVER, WATCHDOG, WATCHDOG_10K};

#[test]
fn with_timeout_gives_ok_for_a_fast_op() {
    judge_one(&run_one(1500, secs(2)));
}

#[test]
fn with_timeout_gives_up_at_the_limit() {
    judge_one(&run_one(5000, secs(2)));
}

#[test]
fn with_timeout_gives_up_on_an_op_that_never_finishes() {
    judge_one(&run_one(NEVER, secs(1)));
}

#[test]
fn each_op_gets_its_own_result_in_input_order() {
    // ops[2] finishes 1 ms before the deadline, ops[3] 1 ms after it.
    let r = run_all(&[1000, 5000, 3999, 4001, 2000], secs(4), WATCHDOG);
    judge_results(&r);
}

#[test]
fn all_within_ends_at_the_deadline() {
    let r = run_all(&[1000, 10_000], secs(3), WATCHDOG);
    judge_end(&r);
}

#[test]
fn an_op_that_never_finishes_is_cut_off_at_the_deadline() {
    let r = run_all(&[NEVER, 1000], secs(2), WATCHDOG);
    judge_end(&r);
    judge_results(&r);
}

#[test]
fn all_within_returns_as_soon_as_every_op_is_done() {
    let r = run_all(&[1000, 2000, 1500], secs(10), WATCHDOG);
    judge_end(&r);
}

#[test]
fn ops_share_one_deadline() {
    // Three ops of 0.8 x the deadline make it together, not one after
    // another (2.4 x); the fourth, 1.2 x, is late however long the others take.
    let r = run_all(&[8000, 8000, 8000, 12_000], secs(10), WATCHDOG);
    judge_start(&r);
    judge_results(&r);
    judge_end(&r);
}

#[test]
fn late_ops_never_run_after_the_deadline() {
    let r = run_all(&[1000, 3000, 50_000], secs(2), WATCHDOG);
    judge_no_late_runs(&r);
}

#[test]
fn late_ops_are_dropped_before_all_within_returns() {
    let r = run_all(&[1000, NEVER, 3000, NEVER], secs(2), WATCHDOG);
    judge_dropped(&r);
}

#[test]
fn no_ops_give_no_results_at_once() {
    let r = run_all(&[], secs(5), WATCHDOG);
    judge_results(&r);
    judge_end(&r);
}

#[test]
fn ten_thousand_ops_share_one_deadline() {
    // Spread over 1 ms..10 s, none exactly at the deadline (5 s).
    let delays: Vec<u64> = (0..10_000)
        .map(|i| match 1 + i * 7919 % 9999 {
            5000 => 5001,
            d => d,
        })
        .collect();
    let r = run_all(&delays, secs(5), WATCHDOG_10K);
    judge_start(&r);
    judge_results(&r);
    judge_end(&r);
    // Real time, judged against the grader's own solution timed just now
    // on this machine, so that a busy machine slows both alike.
    let reference = calibrate(&delays, secs(5), WATCHDOG_10K);
    judge_real_cost(&r, reference);
}
