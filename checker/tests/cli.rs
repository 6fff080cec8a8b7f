//! The checker, used for real: on scratch copies of the course (tempfile)
//! whose student files are replaced by references, mistakes, a file that does
//! not compile, a hang and a crash.
//!
//! Every test that builds shares one cargo target folder, and cargo names the
//! artifacts of path crates by their place in the workspace: such tests run
//! one at a time (`#[serial]`).

mod common;

use std::fs;
use std::process::Command as Process;

use common::*;
use pretty_assertions::assert_eq;
use serial_test::serial;

#[test]
#[serial]
fn verify_proves_every_grader() {
    let out = run(checker(&course_root()).arg("verify"));
    assert_eq!(
        out.code, 0,
        "verify failed:\n{}\n{}",
        out.stdout, out.stderr
    );
    assert!(out.stdout.contains("verify: all"), "{}", out.stdout);
}

#[test]
#[serial]
fn status_tells_each_verdict_apart() {
    let course = scratch_course();
    let root = course.path();
    put(root, "ex01", "ex01.rs");
    put(root, "ex02", "mistakes/ex02-join-all-then-check.rs");
    fs::write(
        student_file(root, "ex04"),
        "pub fn read_all() -> u32 { \"not a number\" }\n",
    )
    .unwrap();
    let first_five = [
        "--only", "ex01", "--only", "ex02", "--only", "ex03", "--only", "ex04", "--only", "ex05",
    ];
    let out = run(checker(root).args(first_five));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mut table = rows(&out.stdout);
    // How many tests a mistake fails is the suite's business; the verdict is ours.
    let failing = "2 ex02 Timeouts and deadlines failing (";
    assert!(table[1].starts_with(failing), "{}", out.stdout);
    table[1] = failing.to_string();
    assert_eq!(
        table,
        [
            "1 ex01 Concurrent sleeps solved 8/8",
            failing,
            "3 ex03 Fetch URLs concurrently not started 0/13",
            "4 ex04 Read files with a thread pool does not compile - -",
            "5 ex05 Parallel sum of squares not started 0/7",
        ]
    );
    // Piped: no colour codes, an ASCII bar, and the next step for ex02.
    assert!(!out.stdout.contains('\u{1b}'), "{}", out.stdout);
    assert!(out.stdout.contains("Progress: [####"), "{}", out.stdout);
    assert!(out.stdout.contains("1/5 solved"), "{}", out.stdout);
    assert!(out.stdout.contains("Next: ex02"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("First failing test: all_within_ends_at_the_deadline"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("cargo test -p ex02"), "{}", out.stdout);
    assert!(
        out.stdout.contains("cargo run -- hint ex02"),
        "{}",
        out.stdout
    );

    // The compiler's first error, located, for the exercise that does not compile.
    let out = run(checker(root).args(["--only", "ex04", "--color", "always"]));
    assert!(
        out.stdout
            .contains("Does not compile: exercises/ex04-file-pool/src/lib.rs:1: mismatched types"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains('\u{1b}'), "--color always keeps colour");
}

#[test]
#[serial]
fn a_hang_is_timed_out_and_leaves_no_process_behind() {
    let course = scratch_course();
    let root = course.path();
    // An infinite loop that never yields: it blocks the runtime thread.
    fs::write(
        student_file(root, "ex01"),
        "use std::time::Duration;\n\
         pub async fn sleepy(name: &str, _delay: Duration) -> String { name.to_string() }\n\
         #[allow(clippy::empty_loop)]\n\
         pub async fn run_concurrently(_tasks: &[(&str, Duration)]) -> Vec<String> { loop {} }\n",
    )
    .unwrap();
    put(root, "ex04", "mistakes/ex04-sender-not-dropped.rs");

    // Killed by the checker's own limit, before the graders' watchdogs.
    let out = run(checker(root).args(["--only", "ex01", "--limit", "2"]));
    assert_eq!(
        rows(&out.stdout),
        ["1 ex01 Concurrent sleeps timed out (2 s) -"],
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Hung"), "{}", out.stdout);

    // Stopped by the graders' watchdogs: every failing test is a hang.
    let out = run(checker(root).args(["--only", "ex04"]));
    assert!(
        rows(&out.stdout)[0].starts_with("1 ex04 Read files with a thread pool timed out (3 s)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("drop(tx)"), "{}", out.stdout);

    let left = Process::new("pgrep")
        .args(["-f", &root.display().to_string()])
        .output();
    if let Ok(left) = left {
        assert_eq!(
            String::from_utf8_lossy(&left.stdout),
            "",
            "processes left behind"
        );
    }
}

#[test]
#[serial]
fn a_crash_is_named() {
    let course = scratch_course();
    let root = course.path();
    fs::write(
        student_file(root, "ex01"),
        "use std::time::Duration;\n\
         pub async fn sleepy(_name: &str, _delay: Duration) -> String { std::process::abort() }\n\
         pub async fn run_concurrently(_tasks: &[(&str, Duration)]) -> Vec<String> { std::process::abort() }\n",
    )
    .unwrap();
    let out = run(checker(root).args(["--only", "ex01"]));
    assert_eq!(
        rows(&out.stdout),
        ["1 ex01 Concurrent sleeps crashed -"],
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("SIGABRT"), "{}", out.stdout);
}

#[test]
#[serial]
fn verify_names_missing_files_and_unknown_tests() {
    let course = scratch_course();
    let root = course.path();
    // A mistake naming a test the suite does not have; the other mistakes go.
    for entry in fs::read_dir(root.join("solutions/mistakes")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ex01-")
        {
            fs::remove_file(path).unwrap();
        }
    }
    fs::write(
        root.join("solutions/mistakes/ex01-bogus.rs"),
        "// Mistake: none\n// Rejected by: no_such_test\n// Message contains: x\n\n".to_string()
            + &fs::read_to_string(root.join("solutions/ex01.rs")).unwrap(),
    )
    .unwrap();
    fs::remove_file(root.join("solutions/ex02.rs")).unwrap();
    let out = run(checker(root).args(["verify", "--only", "ex01", "--only", "ex02"]));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("ex02   setup")
            && out
                .stdout
                .contains("the reference file solutions/ex02.rs is missing"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("names the test `no_such_test`, which the suite does not have"),
        "{}",
        out.stdout
    );
}

#[test]
fn outside_the_course_is_one_clear_line() {
    let empty = tempfile::tempdir().unwrap();
    let out = run(&mut checker(empty.path()));
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("no course.toml"), "{}", out.stderr);
}

#[test]
fn a_deleted_exercise_is_one_clear_line() {
    let course = scratch_course();
    fs::remove_dir_all(course.path().join("exercises/ex03-fetch-urls")).unwrap();
    let out = run(&mut checker(course.path()));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("`ex03` is not valid: its folder exercises/ex03-fetch-urls is missing"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_broken_manifest_is_named() {
    let course = scratch_course();
    fs::write(
        course.path().join("course.toml"),
        "[[exercise]]\nid = \"ex01\"\ntitel = \"typo\"\n",
    )
    .unwrap();
    let out = run(&mut checker(course.path()));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("course.toml is not valid"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("titel"), "{}", out.stderr);
}

#[test]
fn an_unknown_exercise_lists_the_known_ones() {
    let out = run(checker(&course_root()).args(["hint", "ex99"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no exercise `ex99`"), "{}", out.stderr);
    assert!(out.stderr.contains("ex01, ex02"), "{}", out.stderr);
}

#[test]
fn hints_come_one_at_a_time() {
    let course = scratch_course();
    let hint = |args: &[&str]| run(checker(course.path()).arg("hint").args(args)).stdout;
    assert!(hint(&["ex01"]).starts_with("Hint 1 of 3 for ex01"));
    assert!(hint(&["ex01"]).starts_with("Hint 2 of 3 for ex01"));
    let last = hint(&["ex01"]);
    assert!(
        last.starts_with("Hint 3 of 3") && last.contains("last hint"),
        "{last}"
    );
    assert!(
        hint(&["ex01"]).starts_with("Hint 3 of 3"),
        "stays on the last one"
    );
    let all = hint(&["ex01", "--all"]);
    assert_eq!(all.matches("Hint ").count(), 3, "{all}");
}

#[test]
fn reset_asks_and_keeps_a_backup() {
    let course = scratch_course();
    let root = course.path();
    let file = student_file(root, "ex01");
    let stub = fs::read_to_string(root.join("solutions/stubs/ex01.rs")).unwrap();
    fs::write(&file, "// my work\n").unwrap();

    // No terminal to ask: refuse rather than guess.
    let out = run(checker(root).args(["reset", "ex01"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), "// my work\n");

    let out = run(checker(root).args(["reset", "ex01", "--yes"]));
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
}

#[test]
fn help_documents_every_command_and_the_exit_status() {
    let out = run(checker(&course_root()).arg("--help"));
    assert_eq!(out.code, 0);
    for word in [
        "status",
        "hint",
        "watch",
        "reset",
        "list",
        "verify",
        "Exit status",
    ] {
        assert!(
            out.stdout.contains(word),
            "--help lacks {word}:\n{}",
            out.stdout
        );
    }
    let out = run(checker(&course_root()).arg("--colour"));
    assert_eq!(out.code, 2, "a usage error");
}

#[cfg(unix)]
#[test]
#[serial]
fn watch_rechecks_on_save_and_quits_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    use std::time::Duration;

    let course = scratch_course();
    let root = course.path();
    let mut child = Process::new(env!("CARGO_BIN_EXE_checker"))
        .args(["watch", "--only", "ex01"])
        .current_dir(root)
        .env("CHECKER_TARGET_DIR", shared_target())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |text: &str| {
        let mut seen = String::new();
        while !seen.contains(text) {
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => seen.push_str(&(line + "\n")),
                Err(_) => panic!("watch never printed {text:?}; it printed:\n{seen}"),
            }
        }
        seen
    };
    let first = wait_for("Watching your files");
    assert!(first.contains("not started"), "{first}");

    // A file that does not compile, then a solution: watch survives both.
    fs::write(student_file(root, "ex01"), "this is not rust\n").unwrap();
    let broken = wait_for("Watching your files");
    assert!(broken.contains("does not compile"), "{broken}");
    put(root, "ex01", "ex01.rs");
    let solved = wait_for("Watching your files");
    assert!(solved.contains("solved"), "{solved}");

    let pid = child.id().to_string();
    Process::new("kill").args(["-INT", &pid]).status().unwrap();
    wait_for("Stopped watching.");
    assert!(child.wait().unwrap().success());
}
