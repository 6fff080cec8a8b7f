//! Graded suite for exercise 8 (blocking work inside async).
//!
//! Every test runs the student's code on a current-thread runtime (through
//! `grading::paused`), where one blocked thread freezes every task. Next to
//! it runs the grader's *heartbeat*: a task that answers each ping sent to it
//! from another thread. The blocking `work` handed to `run_blocking_all` is
//! the probe (`probe.rs`): each job notes its thread, pings the heartbeat,
//! and waits at a rendezvous until *every* job is in flight, as the sheet
//! asks. So "the runtime froze", "one job at a time" and "a window of 8" are
//! observations, not timing guesses, and a wrong solution costs at most one
//! wait of each kind. `count_lines` reads a named pipe whose writer
//! (`pipe.rs`) pings the heartbeat while `count_lines` waits to open it and
//! while it waits to read (unix only: elsewhere that check is skipped).
//!
//! The paused clock is harmless here: while a `spawn_blocking` job runs,
//! tokio does not auto-advance it, and the heartbeat answers pings, it does
//! not tick. With no inputs, it is what shows a future that waits for
//! nothing: the clock jumps to the deadline at once.

mod judge;
#[cfg(unix)]
mod pipe;
mod probe;
mod together;

use std::fs;
use std::path::PathBuf;

use grading::{count, Diagnosis};
use judge::{judge_count, judge_missing, judge_panic, judge_pending, judge_probe};
use probe::{run_count_lines, run_probe, Finish, Setup};

#[test]
fn the_runtime_keeps_running_while_work_blocks() {
    judge_probe(Setup::new(3));
}

#[test]
fn several_jobs_run_at_once() {
    judge_probe(Setup::new(10));
}

#[test]
fn results_keep_the_input_order() {
    // All five jobs in flight, finishing last job first.
    judge_probe(Setup {
        finish: Finish::Reversed,
        ..Setup::new(5)
    });
}

#[test]
fn a_panicking_job_only_loses_its_own_slot() {
    judge_probe(Setup {
        panicking: Some(2),
        ..Setup::new(6)
    });
}

#[test]
fn a_hundred_jobs_all_complete() {
    judge_probe(Setup::new(100));
}

#[test]
fn no_inputs_give_no_results() {
    let setup = Setup::new(0);
    let (outcome, report) = run_probe(setup);
    let got = match outcome {
        Some(Ok(got)) => got,
        Some(Err(payload)) => judge_panic(&setup.what(), payload),
        None => judge_pending(setup),
    };
    if !got.is_empty() {
        Diagnosis::new(format!(
            "run_blocking_all(no inputs) returned {}, expected none.",
            count(got.len(), "result")
        ))
        .advice("one result per input: no inputs, an empty Vec.")
        .fail();
    }
    if !report.strangers.is_empty() {
        Diagnosis::new(format!(
            "run_blocking_all(no inputs) called `work` {}.",
            count(report.strangers.len(), "time")
        ))
        .advice("with no inputs there is nothing to run.")
        .fail();
    }
}

#[test]
fn count_lines_counts_the_lines_of_a_file() {
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    let long: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
    let files: [(&str, &str, usize, &str); 6] = [
        ("three.txt", "one\ntwo\nthree\n", 3, "three lines"),
        ("empty.txt", "", 0, "an empty file"),
        (
            "no-final-newline.txt",
            "first\nsecond",
            2,
            "a last line without '\\n' counts too",
        ),
        ("blank.txt", "\n\n\n", 3, "three empty lines"),
        ("windows.txt", "one\r\ntwo\r\n", 2, "'\\r\\n' line ends"),
        ("long.txt", &long, 10_000, "10 000 lines"),
    ];
    for (name, text, want, why) in files {
        let path = dir.path().join(name);
        fs::write(&path, text).expect("the grader could not write a temporary file");
        let got = count_in(path);
        judge_count(name, want, why, got);
    }
}

#[test]
fn count_lines_reports_a_missing_file() {
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    judge_missing(count_in(dir.path().join("missing.txt")));
}

#[cfg(unix)]
#[test]
fn count_lines_does_not_freeze_the_runtime() {
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    let path = dir.path().join("lines.pipe");
    pipe::make_fifo(&path);
    let (heartbeat, pings) = tokio::sync::mpsc::unbounded_channel();
    let writer = pipe::PipeWriter::start(&path, heartbeat);
    let runtime = writer.runtime();
    let counted = run_count_lines(path, pings, writer.runtime())
        .unwrap_or_else(|payload| judge_panic("count_lines(a named pipe)", payload));
    let log = writer.finish();
    judge::judge_pipe(&log, &runtime, counted);
}

#[cfg(not(unix))]
#[test]
fn count_lines_does_not_freeze_the_runtime() {
    // Without named pipes nothing makes `std::fs` wait: check the count only.
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    let path = dir.path().join("three.txt");
    fs::write(&path, "one\ntwo\nthree\n").expect("the grader could not write a temporary file");
    judge_count("three.txt", 3, "three lines", count_in(path));
    println!(
        "SKIPPED: whether count_lines freezes the runtime is checked with a named pipe (a FIFO), \
         which only unix systems have."
    );
}

/// `count_lines(path)` on a regular file, under the watchdog.
#[track_caller]
fn count_in(path: PathBuf) -> std::io::Result<usize> {
    let shown = path.file_name().map(|f| f.to_string_lossy().to_string());
    let (_heartbeat, pings) = tokio::sync::mpsc::unbounded_channel();
    run_count_lines(path, pings, Default::default()).unwrap_or_else(|payload| {
        judge_panic(
            &format!("count_lines({})", shown.unwrap_or_default()),
            payload,
        )
    })
}
