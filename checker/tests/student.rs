//! The student's checker, used for real on pristine scratch copies of the
//! fixture course (two toy exercises, see `common::fixture_root`): verdicts,
//! the exercise being worked on, reused verdicts, files restored with old
//! timestamps or deleted, progress, id spellings, hints, reset and help.

mod common;

use std::fs;
use std::time::{Duration, SystemTime};

use common::*;
use pretty_assertions::assert_eq;
use serial_test::serial;

/// Both exercises of the fixture course, named: a check of part of a course.
const BOTH: [&str; 4] = ["--only", "ex01", "--only", "ex02"];

/// The table rows with the test counts dropped: how many tests a suite has is
/// the suite's business; the verdict is ours.
fn verdicts(stdout: &str) -> Vec<String> {
    rows(stdout)
        .into_iter()
        .map(|row| match row.find(" (").or_else(|| row.rfind(' ')) {
            Some(cut) if !row.ends_with("compile") => row[..cut].to_string(),
            _ => row,
        })
        .collect()
}

#[test]
#[serial]
fn status_tells_each_verdict_apart_and_explains_the_exercise_worked_on() {
    let course = shared_fixture("student");
    let root = course.path();

    // Solved, and an untouched stub.
    put(root, "ex01", "ex01.rs");
    let out = run(checker(root).args(BOTH));
    assert_eq!(
        out.code, 0,
        "status exits 0 whatever the progress:\n{}{}",
        out.stdout, out.stderr
    );
    assert_eq!(
        verdicts(&out.stdout),
        [
            "1 ex01 First response wins solved",
            "2 ex02 Threads at once not started",
        ],
        "one row per exercise, each with its own verdict:\n{}",
        out.stdout
    );
    // Piped: no colour codes and an ASCII bar.
    assert_lacks(&out.stdout, "\u{1b}", "piped output has no colour codes");
    assert_contains(
        &out.stdout,
        "Progress: [##########----------]",
        "an ASCII bar",
    );
    assert_contains(
        &out.stdout,
        "1/2 solved (of the exercises checked)",
        "the count",
    );

    // Failing, and a file that does not compile, saved last.
    put(root, "ex01", "mistakes/ex01-input-order.rs");
    std::thread::sleep(Duration::from_millis(20));
    fs::write(
        student_file(root, "ex02"),
        "pub fn run_all() -> u64 { \"not a number\" }\n",
    )
    .unwrap();
    let out = run(checker(root).args(BOTH));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        verdicts(&out.stdout),
        [
            "1 ex01 First response wins failing",
            "2 ex02 Threads at once does not compile",
        ],
        "one row per exercise, each with its own verdict:\n{}",
        out.stdout
    );
    assert_contains(
        &out.stdout,
        "0/2 solved (of the exercises checked)",
        "the count",
    );
    // The exercise changed last (ex02) is explained in full, first: the
    // compiler's error with its location and excerpt.
    let working = out
        .stdout
        .split("Working on: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no `Working on:` block:\n{}", out.stdout));
    assert!(
        working.starts_with("ex02 Threads at once"),
        "the exercise changed last is the one worked on:\n{}",
        out.stdout
    );
    assert_contains(
        working,
        "Does not compile: exercises/ex02-threads-at-once/src/lib.rs:1: mismatched types",
        "the compiler error, located",
    );
    assert_contains(working, "expected `u64`", "the compiler's excerpt");
    assert_contains(working, "cargo test -p ex02", "what to run");
    // Then where the course continues: the first unsolved exercise, ex01.
    assert_contains(
        &out.stdout,
        "Then, in course order: ex01 First response wins (failing (",
        "where the course continues",
    );

    // Saving ex01 again makes it the exercise worked on: its first failure,
    // in the suite's order, whatever test finished first.
    std::thread::sleep(Duration::from_millis(20));
    put(root, "ex01", "mistakes/ex01-input-order.rs");
    let out = run(checker(root).args(BOTH));
    let working = out.stdout.split("Working on: ").nth(1).unwrap_or_default();
    assert!(
        working.starts_with("ex01 First response wins"),
        "ex01 was saved last:\n{}",
        out.stdout
    );
    assert_contains(
        working,
        "First failing test: ",
        "the first failure is named",
    );
    let again = run(checker(root).args(["--only", "ex01", "--fresh"]));
    let first = |s: &str| {
        s.lines()
            .find(|l| l.contains("First failing test:"))
            .map(str::to_string)
    };
    assert_eq!(
        first(&out.stdout),
        first(&again.stdout),
        "the same diagnosis twice when nothing changed"
    );

    // --color always keeps colour.
    let out = run(checker(root).args(["--only", "ex02", "--color", "always"]));
    assert_contains(&out.stdout, "\u{1b}", "--color always keeps colour");
}

#[test]
#[serial]
fn a_verdict_is_reused_until_something_it_depends_on_changes() {
    let course = shared_fixture("student");
    let root = course.path();
    put(root, "ex01", "mistakes/ex01-input-order.rs");
    // An untouched stub is never built (see the test below): ex02 holds its
    // reference, so that both verdicts come from a suite run.
    put(root, "ex02", "ex02.rs");
    // Fresh: an earlier run of these tests may have left this verdict.
    let first = run(checker(root).args(["--only", "ex01", "--only", "ex02", "--fresh"]));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_lacks(&first.stdout, "reused", "a first check reuses nothing");
    assert_contains(
        &first.stderr,
        "building the graded suites",
        "piped progress",
    );

    let second = run(checker(root).args(["--only", "ex01", "--only", "ex02"]));
    assert_eq!(
        rows(&first.stdout),
        rows(&second.stdout),
        "a reused verdict is the same verdict"
    );
    assert_eq!(
        second.stdout.matches(" reused").count(),
        2,
        "both rows say they were reused:\n{}",
        second.stdout
    );
    assert_lacks(
        &second.stderr,
        "building",
        "nothing was built the second time",
    );
    assert_contains(
        &second.stdout,
        "`cargo run -- --fresh` checks again",
        "how to re-check",
    );

    // A change of the student's file, of the suite, or `--fresh`: checked again.
    put(root, "ex01", "ex01.rs");
    let third = run(checker(root).args(["--only", "ex01", "--only", "ex02"]));
    assert!(
        rows(&third.stdout)[0].starts_with("1 ex01 First response wins solved "),
        "{}",
        third.stdout
    );
    assert!(
        third
            .stdout
            .lines()
            .nth(1)
            .is_some_and(|l| !l.contains("reused")),
        "ex01 changed, so it was checked again:\n{}",
        third.stdout
    );
    let suite = root.join("tests/ex02.rs");
    let text = fs::read_to_string(&suite).unwrap();
    fs::write(&suite, format!("{text}\n// a comment\n")).unwrap();
    let fourth = run(checker(root).args(["--only", "ex02"]));
    assert_lacks(&fourth.stdout, "reused", "a changed suite is checked again");
    let fresh = run(checker(root).args(["--only", "ex02", "--fresh"]));
    assert_lacks(&fresh.stdout, "reused", "--fresh checks again");
}

#[test]
#[serial]
fn a_file_restored_with_an_old_timestamp_is_judged_by_its_content() {
    let course = shared_fixture("student");
    let root = course.path();
    let file = student_file(root, "ex01");
    // A stub the student began reading and commented: no longer the
    // untouched stub, so its suite is built and run (and stops at todo!()).
    let stub = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("{stub}// I read the sheet\n")).unwrap();
    let out = run(checker(root).args(["--only", "ex01"]));
    assert_contains(&out.stderr, "building the graded suites", "ex01 was built");
    assert!(
        rows(&out.stdout)[0].starts_with("1 ex01 First response wins not started "),
        "{}",
        out.stdout
    );
    // Like `mv lib.rs.bak lib.rs`: a solution whose timestamp is older than
    // the last build.
    put(root, "ex01", "ex01.rs");
    let old = SystemTime::now() - Duration::from_secs(24 * 3600);
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let out = run(checker(root).args(["--only", "ex01"]));
    assert!(
        rows(&out.stdout)[0].starts_with("1 ex01 First response wins solved "),
        "the restored solution is what was judged:\n{}",
        out.stdout
    );
}

#[test]
fn a_fresh_course_is_not_started_without_building_any_suite() {
    // A course of untouched stubs and a target folder nothing was built in:
    // the whole table at once, and no exercise crate compiled.
    let course = fixture_course();
    let target = tempfile::tempdir().unwrap();
    let out = run(checker(course.path()).env("CHECKER_TARGET_DIR", target.path()));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let table = rows(&out.stdout);
    assert!(!table.is_empty(), "a table:\n{}", out.stdout);
    for row in &table {
        // `-` tests: the suite did not run, so no test is counted.
        assert!(
            row.ends_with(" not started -"),
            "every exercise is not started, with no test run:\n{}",
            out.stdout
        );
    }
    assert_contains(
        &out.stdout,
        "Not started yet: read the sheet at the top of the file",
        "the same line as when the suite runs into todo!()",
    );
    assert_lacks(&out.stderr, "building", "the progress claims no build");
    assert_lacks(&out.stderr, "running", "the progress claims no suite run");
    let built: Vec<_> = fs::read_dir(target.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "checker")
        .collect();
    assert!(
        built.is_empty(),
        "cargo built nothing (only the checker's own state is there): {built:?}"
    );
}

#[test]
#[serial]
fn a_deleted_student_file_is_named_with_the_fix() {
    let course = shared_fixture("student");
    let root = course.path();
    fs::remove_file(student_file(root, "ex02")).unwrap();
    let out = run(checker(root).args(["--only", "2"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(rows(&out.stdout), ["1 ex02 Threads at once file missing -"]);
    assert_contains(
        &out.stdout,
        "exercises/ex02-threads-at-once/src/lib.rs is missing. `cargo run -- reset ex02` puts the untouched stub back",
        "the missing file and the fix",
    );
}

#[test]
#[serial]
fn only_the_whole_course_solved_is_called_every_exercise() {
    let course = shared_fixture("student");
    let root = course.path();
    put(root, "ex01", "ex01.rs");
    for spelling in ["ex01", "1", "01", "ex1", "EX01"] {
        let out = run(checker(root).args(["--only", spelling]));
        assert_eq!(out.code, 0, "--only {spelling} is ex01: {}", out.stderr);
        let table = rows(&out.stdout);
        assert!(
            table.len() == 1 && table[0].starts_with("1 ex01 First response wins solved "),
            "--only {spelling} checks ex01 alone:\n{}",
            out.stdout
        );
        assert_lacks(
            &out.stdout,
            "Every exercise is solved",
            "one solved exercise is not the whole course",
        );
        assert_contains(
            &out.stdout,
            "Every exercise checked here is solved. `cargo run` shows the whole course.",
            "what a partial check says",
        );
    }
}

#[test]
fn outside_the_course_is_one_clear_line() {
    let empty = tempfile::tempdir().unwrap();
    let out = run(&mut checker(empty.path()));
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert_contains(
        &out.stderr,
        "no course.toml",
        "why the checker cannot work here",
    );
}

#[test]
fn a_deleted_exercise_is_one_clear_line() {
    let course = fixture_course();
    fs::remove_dir_all(course.path().join("exercises/ex02-threads-at-once")).unwrap();
    let out = run(&mut checker(course.path()));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert_contains(
        &out.stderr,
        "`ex02` is not valid: its folder exercises/ex02-threads-at-once is missing",
        "the manifest names the missing folder",
    );
}

#[test]
fn an_unknown_exercise_lists_the_known_ones() {
    let course = fixture_course();
    let out = run(checker(course.path()).args(["hint", "ex99"]));
    assert_eq!(out.code, 2);
    assert_contains(&out.stderr, "no exercise `ex99`", "the unknown id");
    assert_contains(&out.stderr, "ex01, ex02", "the known ids");
}

#[test]
fn hints_come_one_at_a_time_whatever_the_spelling() {
    let course = fixture_course();
    let hint = |args: &[&str]| run(checker(course.path()).arg("hint").args(args)).stdout;
    assert!(hint(&["ex01"]).starts_with("Hint 1 of 3 for ex01"));
    assert!(
        hint(&["ex1"]).starts_with("Hint 2 of 3 for ex01"),
        "ex1 is ex01"
    );
    let last = hint(&["1"]);
    assert!(
        last.starts_with("Hint 3 of 3") && last.contains("last hint"),
        "the third hint says it is the last: {last}"
    );
    assert!(
        hint(&["ex01"]).starts_with("Hint 3 of 3"),
        "stays on the last one"
    );
    let all = hint(&["ex01", "--all"]);
    assert_eq!(all.matches("Hint ").count(), 3, "{all}");
}

#[test]
fn reset_asks_and_keeps_a_backup_that_git_ignores() {
    let course = fixture_course();
    let root = course.path();
    let file = student_file(root, "ex01");
    let stub = fs::read_to_string(root.join("solutions/stubs/ex01.rs")).unwrap();
    fs::write(&file, "// my work\n").unwrap();

    // No terminal to ask: refuse rather than guess.
    let out = run(checker(root).args(["reset", "ex01"]));
    assert_eq!(out.code, 2);
    assert_contains(&out.stderr, "--yes", "how to confirm without a terminal");
    assert_eq!(fs::read_to_string(&file).unwrap(), "// my work\n");

    let out = run(checker(root).args(["reset", "1", "--yes"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), stub);
    assert_eq!(
        fs::read_to_string(file.with_extension("rs.bak")).unwrap(),
        "// my work\n"
    );

    // A second reset keeps the first backup.
    fs::write(&file, "// more work\n").unwrap();
    run(checker(root).args(["reset", "ex01", "--yes"]));
    assert_eq!(
        fs::read_to_string(file.with_extension("rs.bak")).unwrap(),
        "// my work\n"
    );
    assert_eq!(
        fs::read_to_string(file.with_extension("rs.bak.2")).unwrap(),
        "// more work\n"
    );

    // The backups never show in `git status`.
    let ignore = fs::read_to_string(course_root().join(".gitignore")).unwrap();
    for backup in ["lib.rs.bak", "lib.rs.bak.2"] {
        let ignored = ignore.lines().any(|pattern| {
            let p = pattern.trim();
            (p == "*.rs.bak" && backup.ends_with(".rs.bak"))
                || (p == "*.rs.bak.*" && backup.contains(".rs.bak."))
        });
        assert!(ignored, ".gitignore must ignore {backup}:\n{ignore}");
    }
}

#[test]
fn help_shows_what_students_type_and_every_command() {
    let course = fixture_course();
    let out = run(checker(course.path()).arg("--help"));
    assert_eq!(out.code, 0);
    assert_contains(
        &out.stdout,
        "Usage: cargo run -- [OPTIONS] [COMMAND]",
        "students type `cargo run --`",
    );
    for word in [
        "status",
        "watch",
        "hint",
        "reset",
        "list",
        "report",
        "class",
        "dev",
        "Exit status",
    ] {
        assert_contains(&out.stdout, word, "--help lists every command");
    }
    // The student's commands come before the instructor's and the author's.
    let at = |w: &str| out.stdout.find(&format!("  {w} ")).unwrap_or(usize::MAX);
    assert!(
        at("hint") < at("report") && at("report") < at("dev"),
        "{}",
        out.stdout
    );
    let dev = run(checker(course.path()).args(["dev", "--help"]));
    for word in [
        "verify", "soak", "mutants", "new", "workflow", "check", "ids",
    ] {
        assert_contains(&dev.stdout, word, "dev --help lists every author command");
    }
    let out = run(checker(course.path()).arg("--colour"));
    assert_eq!(out.code, 2, "a usage error");
}

#[test]
fn a_closed_pipe_ends_the_checker_quietly() {
    // Like `cargo run -- dev verify | head -1`: the reader is gone before
    // the checker writes.
    let course = fixture_course();
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_checker"))
        .args(["dev", "ids"])
        .current_dir(course.path())
        .stdout(writer)
        .output()
        .expect("the checker runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_lacks(&stderr, "panicked", "a closed pipe is no reason to panic");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
