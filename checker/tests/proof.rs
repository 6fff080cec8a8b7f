//! The course author's proof: `dev check` and `dev verify` on the real
//! course (the one test here that proves it, driven by course.toml alone),
//! then, on the fixture course (`checker/tests/fixtures/course`), what the
//! proof says of a broken catalogue and `dev check`'s rules, each broken once
//! on a copy.

mod common;

use std::fs;

use common::*;
use pretty_assertions::assert_eq;
use serial_test::serial;

#[test]
#[serial]
fn verify_proves_every_grader() {
    // The real course's rules hold (on a pristine copy: the student's files
    // differ from the stubs); its CONTRIBUTING.md, which the fixture lacks,
    // keeps the table of causes in step too.
    let course = scratch_course();
    let check = succeeds(course.path(), &["dev", "check"]);
    assert_contains(&check.stdout, "rules hold", "dev check's closing line");
    // The proof works on its own scratch copy of the course, made from the
    // stubs and solutions: the student's files play no part.
    let out = run(checker(&course_root()).args(["dev", "verify"]));
    assert_eq!(
        out.code, 0,
        "expected every check of the proof to hold:\n{}\n{}",
        out.stdout, out.stderr
    );
    assert_contains(&out.stdout, "verify: all", "the closing line");
}

#[test]
#[serial]
fn verify_names_missing_files_and_unknown_tests() {
    let course = shared_fixture("proof");
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
        "// Mistake: none\n// Rejected by: no_such_test\n// Message contains: x\n// Cause: none\n// Whole file\n\n"
            .to_string()
            + &fs::read_to_string(root.join("solutions/ex01.rs")).unwrap(),
    )
    .unwrap();
    // An overlay naming a function the reference does not have.
    fs::write(
        root.join("solutions/mistakes/ex01-renamed.rs"),
        "// Mistake: renamed\n// Rejected by: the_fastest_wins\n// Message contains: x\n// Cause: none\n\npub fn no_such_function() {}\n",
    )
    .unwrap();
    fs::remove_file(root.join("solutions/ex02.rs")).unwrap();
    let out = run(checker(root).args(["dev", "verify", "--only", "ex01", "--only", "ex02"]));
    assert_eq!(
        out.code, 1,
        "a broken catalogue fails the proof:\n{}{}",
        out.stdout, out.stderr
    );
    assert_contains(&out.stdout, "ex02   setup", "a setup row for ex02");
    assert_contains(
        &out.stdout,
        "the reference file solutions/ex02.rs is missing",
        "the missing reference is named",
    );
    assert_contains(
        &out.stdout,
        "names the test `no_such_test`, which the suite does not have",
        "the unknown test is named",
    );
    assert_contains(
        &out.stdout,
        "`fn no_such_function` is not an item of the reference",
        "an overlay item the reference lacks is a loud error",
    );
}

/// Sets the `// Cause:` line of a mistake on a scratch copy (replacing the
/// one it has, or adding one under `// Mistake:`).
fn declare_cause(root: &std::path::Path, mistake: &str, cause: &str) {
    let path = root.join(format!("solutions/mistakes/{mistake}.rs"));
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("// Cause:"))
        .map(str::to_string)
        .collect();
    lines.insert(1, format!("// Cause: {cause}"));
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
#[serial]
fn verify_fails_a_mistake_whose_failing_tests_assert_another_cause() {
    let course = shared_fixture("proof");
    let root = course.path();
    // A test of the proof's own that fails on every candidate asserting the
    // cause `wrong-order` (recorded as a fact, as every grader does), next
    // to ex02's suite, whose verdicts rest on rendezvous (no clock).
    let suite = root.join("tests/ex02.rs");
    let text = fs::read_to_string(&suite).unwrap();
    fs::write(
        &suite,
        text + "\n#[test]\nfn proof_asserts_a_cause() {\n    \
                grading::Diagnosis::new(\"asserted by the proof's own test\")\n        \
                .cause(grading::Cause::WrongOrder)\n        .fail()\n}\n",
    )
    .unwrap();
    let verify = |root: &std::path::Path| {
        run(checker(root).args([
            "dev",
            "verify",
            "--only",
            "ex02",
            "--mistake",
            "ex02-completion-order",
            "--fresh",
            "--accept-snapshots",
        ]))
    };
    declare_cause(root, "ex02-completion-order", "wrong-order");
    let out = verify(root);
    assert_eq!(
        out.code, 0,
        "the true cause holds:\n{}{}",
        out.stdout, out.stderr
    );
    // The snapshot it wrote: the failure asserting a cause comes first.
    let snapshot =
        fs::read_to_string(root.join("solutions/mistakes/snapshots/ex02-completion-order.txt"))
            .unwrap();
    // (ex02's own order test asserts `wrong-order` too, and comes first in
    // the suite's order.)
    let first = snapshot.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("── ") && first.contains("(cause: "),
        "a failure asserting a cause comes first: {snapshot}"
    );
    assert!(
        snapshot.contains("── proof_asserts_a_cause (cause: wrong-order)\n"),
        "{snapshot}"
    );
    // A deliberately wrong header.
    declare_cause(root, "ex02-completion-order", "sequential");
    let out = verify(root);
    assert_eq!(
        out.code, 1,
        "a wrong cause fails the row:\n{}{}",
        out.stdout, out.stderr
    );
    assert_contains(
        &out.stdout,
        "`proof_asserts_a_cause` asserts the cause `wrong-order`, but the mistake declares \
         `// Cause: sequential`",
        "the test, the recorded cause and the declared one are named",
    );
    // No line at all: the row says what to write.
    declare_cause(root, "ex02-completion-order", "none");
    let path = root.join("solutions/mistakes/ex02-completion-order.rs");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("// Cause: none\n", "")).unwrap();
    let out = verify(root);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_contains(
        &out.stdout,
        "solutions/mistakes/ex02-completion-order.rs: the header has no `// Cause:` line",
        "the file and the fix are named",
    );
}

#[test]
fn dev_check_finds_a_mistake_without_a_cause() {
    let out = broken_check(|root| {
        declare_cause(root, "ex02-join-in-loop", "slowness");
    });
    assert_contains(
        &out,
        "`// Cause: slowness` is not in the vocabulary of causes",
        "an unknown id is named",
    );
    assert_contains(
        &out,
        "sequential, batches, blocking-in-async",
        "the ids are listed",
    );
}

#[test]
fn dev_check_finds_a_snapshot_of_no_mistake() {
    let out = broken_check(|root| {
        let dir = root.join("solutions/mistakes/snapshots");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("ex01-gone.txt"), "── a_test (no cause asserted)\n").unwrap();
    });
    assert_contains(
        &out,
        "solutions/mistakes/snapshots/ex01-gone.txt: a snapshot of no catalogued mistake",
        "an orphan snapshot is named",
    );
}

/// Runs `dev check` on a scratch copy broken by `breaking`, and returns
/// its output, which must fail the rule.
fn broken_check(breaking: impl FnOnce(&std::path::Path)) -> String {
    let course = fixture_course();
    breaking(course.path());
    let out = run(checker(course.path()).args(["dev", "check"]));
    assert_eq!(
        out.code, 1,
        "a broken rule fails dev check:\n{}{}",
        out.stdout, out.stderr
    );
    out.stdout
}

#[test]
fn dev_check_finds_a_stub_that_differs_from_its_copy() {
    let out = broken_check(|root| {
        let copy = root.join("solutions/stubs/ex02.rs");
        let text = fs::read_to_string(&copy).unwrap();
        fs::write(copy, text + "\n// changed\n").unwrap();
    });
    assert_contains(
        &out,
        "exercises/ex02-threads-at-once/src/lib.rs differs from solutions/stubs/ex02.rs",
        "the two copies are named",
    );
}

#[test]
fn dev_check_finds_a_dependency_list_that_differs() {
    let out = broken_check(|root| {
        let manifest = root.join("exercises/ex02-threads-at-once/Cargo.toml");
        let text = fs::read_to_string(&manifest).unwrap();
        fs::write(
            manifest,
            text.replace("[dev-dependencies]\n", "[dev-dependencies]\nitoa = \"1\"\n"),
        )
        .unwrap();
    });
    assert_contains(
        &out,
        "exercises/ex02-threads-at-once/Cargo.toml: [dev-dependencies] differs from exercises/ex01-first-response/Cargo.toml",
        "the manifest and the table are named",
    );
}

#[test]
fn dev_check_finds_a_readme_table_out_of_order() {
    let out = broken_check(|root| {
        let readme = root.join("README.md");
        let text = fs::read_to_string(&readme).unwrap();
        let a = "`exercises/ex01-first-response`";
        let b = "`exercises/ex02-threads-at-once`";
        fs::write(readme, text.replace(a, "@@").replace(b, a).replace("@@", b)).unwrap();
    });
    assert_contains(
        &out,
        "README.md's exercise table lists `exercises/ex02-threads-at-once` as number 1, course.toml as number 2",
        "the misplaced row",
    );
}

#[test]
fn dev_check_finds_stray_and_misnamed_solutions() {
    let out = broken_check(|root| {
        fs::write(root.join("solutions/mistakes/ex6-typo.rs"), "// x\n").unwrap();
        fs::write(root.join("solutions/notes.txt"), "notes\n").unwrap();
        fs::write(
            root.join("solutions/mistakes/ex02-no-header.rs"),
            "pub fn f() {}\n",
        )
        .unwrap();
    });
    assert_contains(
        &out,
        "solutions/mistakes/ex6-typo.rs: a mistake is named <exercise id>-<what>.rs",
        "a misnamed mistake",
    );
    assert_contains(&out, "solutions/notes.txt: not a Rust file", "a stray file");
    assert_contains(
        &out,
        "solutions/mistakes/ex02-no-header.rs: the header must name the test",
        "a mistake without its header",
    );
}

#[test]
fn dev_check_finds_a_solution_that_is_not_rustfmt_clean() {
    let out = broken_check(|root| {
        let file = root.join("solutions/ex01.rs");
        let text = fs::read_to_string(&file).unwrap();
        fs::write(file, text + "\nfn  badly_formatted( ){}\n").unwrap();
    });
    assert_contains(
        &out,
        "solutions/ex01.rs is not rustfmt-clean",
        "the file to format",
    );
}

#[test]
fn dev_check_keeps_a_contributing_guides_table_of_causes_in_step() {
    // The fixture has no CONTRIBUTING.md, so the rule has nothing to check;
    // a guide without the table breaks it, and the message gives the table.
    let course = fixture_course();
    let root = course.path();
    let guide = root.join("CONTRIBUTING.md");
    fs::write(&guide, "# Contributing\n").unwrap();
    let out = run(checker(root).args(["dev", "check"]));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_contains(
        &out.stdout,
        "CONTRIBUTING.md lacks the table of causes",
        "the missing table",
    );
    // The table the message gives, markers included, makes the rule hold.
    let given: Vec<&str> = out
        .stdout
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("<!-- causes: begin"))
        .collect();
    let end = given
        .iter()
        .position(|l| l.starts_with("<!-- causes: end"))
        .unwrap_or_else(|| panic!("the message gives the whole table:\n{}", out.stdout));
    let table = given[..=end].join("\n");
    assert_contains(&table, "| `sequential` |", "the table of causes");
    fs::write(&guide, format!("# Contributing\n\n{table}\n")).unwrap();
    succeeds(root, &["dev", "check"]);
    // A row that drifted from the vocabulary breaks it again.
    let drifted = table.replace("| `sequential` |", "| `serial` |");
    fs::write(&guide, format!("# Contributing\n\n{drifted}\n")).unwrap();
    let out = run(checker(root).args(["dev", "check"]));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_contains(
        &out.stdout,
        "CONTRIBUTING.md's table of causes differs from grading-protocol's vocabulary",
        "the drifted table",
    );
}

#[test]
fn dev_check_finds_a_stale_classroom_workflow() {
    let out = broken_check(|root| {
        let manifest = root.join("course.toml");
        let text = fs::read_to_string(&manifest).unwrap();
        fs::write(manifest, text.replacen("points = 10", "points = 25", 1)).unwrap();
    });
    assert_contains(
        &out,
        ".github/workflows/classroom.yml is stale",
        "the stale workflow",
    );
}

#[test]
fn dev_ids_lists_the_exercises_in_course_order() {
    let course = fixture_course();
    let out = run(checker(course.path()).args(["dev", "ids"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ids: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(ids, ["ex01", "ex02"], "{}", out.stdout);
}

#[test]
#[serial]
fn the_graders_own_crates_pass_their_tests() {
    // `grading` and `grading-protocol` are not default members (the student's
    // `cargo run` does not build them): their unit tests run from here.
    let out =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "test",
                "-q",
                "-p",
                "grading",
                "-p",
                "grading-protocol",
                "--target-dir",
            ])
            .arg(course_target())
            .current_dir(course_root())
            .output()
            .expect("cargo runs");
    assert!(
        out.status.success(),
        "expected the grading crates' tests to pass:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
