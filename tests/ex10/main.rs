//! Graded suite for exercise 10 (bounded concurrency).
//!
//! Every test hands the student's function its own `job`, the *probe*
//! (`probe.rs`): each job notes when it starts and ends, how many jobs are in
//! flight (and the peak), in which tokio task it runs, and, for
//! `spawn_bounded`, how many of the limiter's permits are taken while it
//! runs. Then it sleeps for its duration.
//!
//! Everything runs on tokio's paused clock: sleeps cost no real time and
//! virtual time is exact, so "took 7 s instead of 5 s" and "job 2 started at
//! 5 s" are facts. A call that stops making progress is stopped by a monitor,
//! which also tells an idle runtime (every task waits forever) from a busy
//! one (a task polls in a loop). The judges (`judge.rs`) simulate the
//! schedules the usual mistakes produce (batches, `buffered`), so they can
//! name the mistake from the start times they observed.

mod judge;
mod probe;

use grading::{secs, Cause, Diagnosis};

use judge::{
    fmt_ms, judge_jobs, judge_outputs, judge_panic, judge_permits, judge_returned, judge_run,
    judge_schedule, record_picture, record_task_picture, record_total_picture, returned,
    spawn_call, window_call, SLACK_MS,
};
use probe::{output, run_spawned, run_two_callers, run_window, run_with_a_panic};

// ---------------------------------------------------------------------------
// run_bounded

#[test]
fn ten_jobs_with_limit_three_run_three_at_a_time() {
    let durations = vec![secs(1); 10];
    judge_run(
        &window_call(&durations, 3),
        &durations,
        3,
        run_window(&durations, 3),
    );
}

#[test]
fn a_free_slot_is_refilled_at_once() {
    // Slot 1 is free at 1 s, and the next job must start right then: 5 s in
    // all. Batches of 2 take 2 + 2 + 2 = 6 s.
    let durations = [secs(1), secs(2), secs(2), secs(2), secs(2)];
    judge_run(
        &window_call(&durations, 2),
        &durations,
        2,
        run_window(&durations, 2),
    );
}

#[test]
fn a_slow_first_job_does_not_stall_the_window() {
    // The four short jobs share the second slot while the slow one runs: 5 s.
    // `buffered(2)` and batches of 2 both take 7 s.
    let durations = [secs(5), secs(1), secs(1), secs(1), secs(1)];
    judge_run(
        &window_call(&durations, 2),
        &durations,
        2,
        run_window(&durations, 2),
    );
}

#[test]
fn outputs_come_back_in_input_order() {
    // The later jobs finish first.
    let durations = [secs(6), secs(5), secs(4), secs(3), secs(2), secs(1)];
    judge_run(
        &window_call(&durations, 3),
        &durations,
        3,
        run_window(&durations, 3),
    );
}

#[test]
fn a_limit_above_the_job_count_runs_them_all_at_once() {
    let durations = [secs(2), secs(3), secs(1), secs(3), secs(2)];
    judge_run(
        &window_call(&durations, 8),
        &durations,
        8,
        run_window(&durations, 8),
    );
}

#[test]
fn limit_one_runs_one_job_at_a_time() {
    let durations = [secs(1), secs(2), secs(1), secs(3)];
    judge_run(
        &window_call(&durations, 1),
        &durations,
        1,
        run_window(&durations, 1),
    );
}

#[test]
fn no_inputs_return_at_once() {
    for (what, run) in [
        (window_call(&[], 3), run_window(&[], 3)),
        (spawn_call(&[], 2), run_spawned(&[], 2)),
    ] {
        let free = run.free_after;
        let got = returned(&what, run.outcome, &run.report);
        if !got.is_empty() {
            Diagnosis::new(format!(
                "{what} returned {} outputs, expected none.",
                got.len()
            ))
            .fail();
        }
        if run.took > SLACK_MS {
            Diagnosis::new(format!(
                "{what} took {} of (virtual) time; with nothing to do it should return at once.{}",
                fmt_ms(run.took),
                record_total_picture(run.took, 0)
            ))
            .fail();
        }
        if let Some(free) = free {
            judge_permits(&what, 2, free);
        }
    }
}

// ---------------------------------------------------------------------------
// spawn_bounded

#[test]
fn spawned_jobs_stay_within_the_limiter() {
    let durations = vec![secs(1); 10];
    let run = run_spawned(&durations, 3);
    let free = run.free_after.expect("a spawn_bounded run");
    judge_run(&spawn_call(&durations, 3), &durations, 3, run);
    judge_permits(&spawn_call(&durations, 3), 3, free);
}

#[test]
fn spawned_jobs_refill_a_free_slot_at_once() {
    let durations = [secs(5), secs(1), secs(1), secs(1), secs(1)];
    judge_run(
        &spawn_call(&durations, 2),
        &durations,
        2,
        run_spawned(&durations, 2),
    );
}

#[test]
fn spawned_outputs_come_back_in_input_order() {
    let durations = [secs(6), secs(5), secs(4), secs(3), secs(2), secs(1)];
    judge_run(
        &spawn_call(&durations, 3),
        &durations,
        3,
        run_spawned(&durations, 3),
    );
}

#[test]
fn every_job_runs_in_a_task_of_its_own() {
    let durations = [secs(2), secs(1), secs(3), secs(1), secs(2), secs(1)];
    let what = spawn_call(&durations, 3);
    let run = run_spawned(&durations, 3);
    let got = returned(&what, run.outcome, &run.report);
    let tasks = &run.report.tasks;
    let ran = |i: usize| run.report.starts[i].is_some();
    if let Some(i) = (0..durations.len()).find(|&i| ran(i) && tasks[i].is_none()) {
        Diagnosis::new(format!(
            "{what}: job {i} ran outside any spawned task (`tokio::task::try_id()` was `None` \
 inside it): it was polled by the caller's own future, as `join_all` or \
 `buffer_unordered` do.{}",
            record_task_picture(&run.report)
        ))
        .advice(
            "spawn every job: `tokio::spawn(job(input))` or `JoinSet::spawn`, then await \
 the tasks. Spawned tasks can run on other threads of a multi-thread runtime \
 and keep going while the caller waits.",
        )
        .fail();
    }
    for i in 0..durations.len() {
        if let Some(j) = (0..i).find(|&j| ran(i) && ran(j) && tasks[j] == tasks[i]) {
            Diagnosis::new(format!(
                "{what}: jobs {j} and {i} ran in the same tokio task: the jobs were spawned \
 together (one task running several of them), not each in a task of its own.{}",
                record_task_picture(&run.report)
            ))
            .advice(
                "one task per job: call `tokio::spawn` (or `JoinSet::spawn`) once for \
 every input.",
            )
            .fail();
        }
    }
    judge_returned(&what, &durations, 3, &got, &run.report, run.took);
}

#[test]
fn every_permit_is_given_back() {
    // Fewer jobs than permits, so a permit that is never given back cannot
    // block the call itself.
    let durations = [secs(2), secs(1), secs(3)];
    let what = spawn_call(&durations, 5);
    let run = run_spawned(&durations, 5);
    let free = run.free_after.expect("a spawn_bounded run");
    let got = returned(&what, run.outcome, &run.report);
    judge_permits(&what, 5, free);
    let (starts, finishes) = judge_jobs(&what, &run.report);
    judge_outputs(&what, &got, &finishes);
    judge_schedule(
        &what,
        &durations,
        5,
        &run.report,
        run.took,
        &starts,
        &finishes,
    );
}

#[test]
fn two_callers_share_one_limiter() {
    // Two crawls at once, one limiter of 2 permits: together, 2 jobs at a time.
    const PERMITS: usize = 2;
    let durations = vec![secs(1); 8];
    let what = "two concurrent spawn_bounded calls of 4 jobs of 1.0 s each, sharing a limiter \
                of 2 permits";
    let run = run_two_callers(&durations, PERMITS);
    let (a, b) = returned(what, run.outcome, &run.report);
    let (starts, finishes) = judge_jobs(what, &run.report);
    judge_outputs(
        "the first spawn_bounded call (jobs 0 to 3)",
        &a,
        &finishes[..4],
    );
    let b_shifted: Vec<String> = b
        .iter()
        .map(|o| match o.trim_start_matches("output-").parse::<usize>() {
            Ok(i) if i >= 4 => output(i - 4),
            _ => o.clone(),
        })
        .collect();
    judge_outputs(
        "the second spawn_bounded call (jobs 4 to 7, shown as 0 to 3)",
        &b_shifted,
        &finishes[4..],
    );
    if run.report.peak > PERMITS {
        // Whether each call kept to the limit on its own: only then did it
        // limit itself with something else than the shared limiter.
        let each_alone = [0..4, 4..8]
            .into_iter()
            .all(|jobs| peak_of(&starts[jobs.clone()], &finishes[jobs]) <= PERMITS);
        let how = if each_alone {
            "Each call limited only itself, with something of its own (a \
             `Semaphore::new(...)` of its own, a `buffer_unordered` window) instead of the \
             shared limiter's permits."
        } else {
            "Even one call alone ran more jobs at once than that: its jobs did not hold the \
             limiter's permits while they ran."
        };
        Diagnosis::new(format!(
            "{what}: together they ran up to {} jobs at once, but the limiter they share has \
             {PERMITS} permits. {how}{}",
            run.report.peak,
            record_picture(&run.report, None)
        ))
        .cause(Cause::Unbounded)
        .advice(
            "take every job's permit from the `limiter` you are given \
             (`Arc::clone(&limiter).acquire_owned()`) and keep it until the job ends: the limit \
             is shared, so that all callers together stay within it.",
        )
        .fail();
    }
    judge_schedule(
        what,
        &durations,
        PERMITS,
        &run.report,
        run.took,
        &starts,
        &finishes,
    );
    judge_permits(what, PERMITS, run.free_after);
}

#[test]
fn a_job_panic_reaches_the_caller_unchanged() {
    // Job 1 panics when it is done, at 1 s.
    let durations = [secs(2), secs(1), secs(3), secs(2)];
    let what = format!("{}, where job 1 panics", spawn_call(&durations, 2));
    judge_panic(&what, run_with_a_panic(&durations, 2));
}

/// Most jobs running at once among these (start and finish times in ms).
fn peak_of(starts: &[u64], finishes: &[u64]) -> usize {
    starts
        .iter()
        .map(|&t| {
            starts
                .iter()
                .zip(finishes)
                .filter(|&(&s, &f)| s <= t && t < f)
                .count()
        })
        .max()
        .unwrap_or(0)
}
