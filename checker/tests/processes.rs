//! Hung, crashing and interrupted suites: each has its own verdict, and no
//! process the checker started outlives it, Ctrl-C included.

mod common;

#[cfg(unix)]
use std::io::{BufRead, BufReader};
#[cfg(unix)]
use std::process::Command as Process;
#[cfg(unix)]
use std::sync::mpsc;
#[cfg(unix)]
use std::time::{Duration, Instant};

use common::*;
use pretty_assertions::assert_eq;
use serial_test::serial;

/// A loop that never yields: it blocks the runtime thread, so every test of
/// ex01 hangs (the fixture's `first`). It sleeps rather than spins, so that
/// the hung tests leave the machine's cores to the rest.
const EX01_HANG: &str = "use std::future::Future;\n\
    pub async fn first<F>(_futures: Vec<F>) -> Option<F::Output>\n\
    where\n    F: Future + Unpin,\n{\n    \
    loop {\n        std::thread::sleep(std::time::Duration::from_millis(50));\n    }\n}\n";

/// A `first` that aborts the process: the suite crashes.
const EX01_CRASH: &str = "use std::future::Future;\n\
    pub async fn first<F>(_futures: Vec<F>) -> Option<F::Output>\n\
    where\n    F: Future + Unpin,\n{\n    std::process::abort()\n}\n";

#[test]
#[serial]
fn a_hang_is_timed_out_reused_and_leaves_no_process_behind() {
    let course = shared_fixture("processes");
    let root = course.path();
    std::fs::write(student_file(root, "ex01"), EX01_HANG).unwrap();

    // Killed by the checker's own limit, before the graders' watchdogs (2 s).
    let out = run(checker(root).args(["--only", "ex01", "--limit", "1"]));
    assert_eq!(
        rows(&out.stdout),
        ["1 ex01 First response wins timed out (killed at 1 s) -"],
        "{}",
        out.stdout
    );
    assert_contains(
        &out.stdout,
        "Hung: the tests were still running after 1 s",
        "the hang explained",
    );

    // Stopped by the graders' watchdogs: the suite ends, every failing test hung.
    let out = run(checker(root).args(["--only", "ex01"]));
    let row = &rows(&out.stdout)[0];
    assert!(
        row.starts_with("1 ex01 First response wins timed out (watchdog "),
        "the watchdogs stopped the tests: {row}\n{}",
        out.stdout
    );
    assert_contains(
        &out.stdout,
        "stopped by the grader's watchdog",
        "who stopped it",
    );

    // Nothing changed: the hang's verdict is reused, not waited for again.
    let again = run(checker(root).args(["--only", "ex01"]));
    assert_eq!(rows(&again.stdout)[0], row.clone(), "the same verdict");
    assert_contains(&again.stdout, "reused", "the verdict says it was reused");
    assert_lacks(&again.stderr, "running", "no suite ran");

    assert_eq!(
        processes_mentioning(&root.display().to_string()),
        Vec::<String>::new(),
        "processes left behind"
    );
}

#[test]
#[serial]
fn a_crash_is_named() {
    let course = shared_fixture("processes");
    let root = course.path();
    std::fs::write(student_file(root, "ex01"), EX01_CRASH).unwrap();
    let out = run(checker(root).args(["--only", "ex01"]));
    assert_eq!(
        rows(&out.stdout),
        ["1 ex01 First response wins crashed -"],
        "{}",
        out.stdout
    );
    if cfg!(unix) {
        assert_contains(&out.stdout, "SIGABRT", "the signal is named");
    }
}

/// Reads a child's stdout on a thread, so a test can wait for a line with
/// a timeout.
#[cfg(unix)]
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout is piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits until `text` appears; fails with what was seen and what was expected.
#[cfg(unix)]
fn wait_for(rx: &mpsc::Receiver<String>, text: &str) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(180);
    while !seen.contains(text) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => seen.push_str(&(line + "\n")),
            Err(_) => {
                panic!("expected the output to show {text:?} within 180 s; it showed:\n{seen}")
            }
        }
    }
    seen
}

#[cfg(unix)]
#[test]
#[serial]
fn watch_explains_the_exercise_just_saved_and_quits_on_ctrl_c() {
    let course = shared_fixture("processes");
    let root = course.path();
    let mut watch = Running::spawn(
        Process::new(env!("CARGO_BIN_EXE_checker"))
            .args(["watch", "--only", "ex01", "--only", "ex02"])
            .current_dir(root)
            .env("CHECKER_TARGET_DIR", course_target())
            .stdout(std::process::Stdio::piped()),
    );
    let rx = lines_of(&mut watch.0);
    let first = wait_for(&rx, "Watching your files");
    assert_contains(&first, "not started", "the first screen");

    // A file that does not compile, then a wrong answer, then a solution:
    // watch survives each, and explains the exercise just saved (ex02 comes
    // after ex01 in course order, and is still the one explained).
    std::fs::write(student_file(root, "ex02"), "this is not rust\n").unwrap();
    let broken = wait_for(&rx, "Watching your files");
    assert_contains(
        &broken,
        "Working on: ex02",
        "the exercise just saved is explained",
    );
    assert_contains(
        &broken,
        "Does not compile: exercises/ex02-threads-at-once/src/lib.rs",
        "its error",
    );
    assert_contains(
        &broken,
        "Then, in course order: ex01",
        "and where the course goes on",
    );
    put(root, "ex02", "ex02.rs");
    let solved = wait_for(&rx, "Watching your files");
    assert_contains(
        &solved,
        "ex02 Threads at once is solved",
        "a solved save is praised",
    );

    Process::new("kill")
        .args(["-INT", &watch.0.id().to_string()])
        .status()
        .unwrap();
    wait_for(&rx, "Stopped watching.");
    let status = watch.0.wait().unwrap();
    assert!(status.success(), "watch ends cleanly on Ctrl-C: {status}");
}

#[cfg(unix)]
#[test]
#[serial]
fn ctrl_c_during_a_check_ends_the_suites_it_started() {
    let course = shared_fixture("processes");
    let root = course.path();
    std::fs::write(student_file(root, "ex01"), EX01_HANG).unwrap();
    // Build first, so that the interrupt lands while the hung suite runs.
    let _ = run(checker(root).args(["--only", "ex01", "--limit", "1"]));
    let mut status = Running::spawn(
        Process::new(env!("CARGO_BIN_EXE_checker"))
            .args(["--only", "ex01", "--fresh", "--limit", "60"])
            .current_dir(root)
            .env("CHECKER_TARGET_DIR", course_target())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped()),
    );
    // Wait until the suite runs (its binary shows up), then press Ctrl-C.
    // Only this copy's suite counts (it runs in the copy's ex01 folder):
    // other copies of a course may be checked on the machine meanwhile.
    let deadline = Instant::now() + Duration::from_secs(120);
    let copy = root.display().to_string();
    let suite = |p: &String| p.contains("deps/ex01-");
    while !processes_mentioning(&copy).iter().any(suite) {
        assert!(Instant::now() < deadline, "the suite never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    Process::new("kill")
        .args(["-INT", &status.0.id().to_string()])
        .status()
        .unwrap();
    let code = status.0.wait().unwrap().code();
    assert_eq!(code, Some(130), "Ctrl-C ends the checker with 130");
    std::thread::sleep(Duration::from_millis(200));
    let left: Vec<String> = processes_mentioning(&copy)
        .into_iter()
        .filter(suite)
        .collect();
    assert_eq!(
        left,
        Vec::<String>::new(),
        "the hung suite was killed with the checker"
    );
}
