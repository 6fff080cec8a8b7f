//! The instructor's and course author's commands, used for real on copies
//! of the fixture course (`checker/tests/fixtures/course`): reports in every
//! format (each parsed back by a real consumer), the class roll-up with
//! broken reports, the generated Classroom workflow, broken manifests, and
//! `checker dev new`.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serial_test::serial;

fn schema() -> jsonschema::Validator {
    schema_version(4)
}

fn schema_version(version: u32) -> jsonschema::Validator {
    let text = fs::read_to_string(
        course_root().join(format!("checker/schema/report-v{version}.schema.json")),
    )
    .expect("the schema is in the repository");
    jsonschema::validator_for(&serde_json::from_str(&text).expect("the schema is JSON"))
        .expect("the schema is a valid JSON Schema")
}

fn assert_valid_report(report: &Value) {
    let errors: Vec<String> = schema()
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid against the schema:\n{}",
        errors.join("\n")
    );
}

fn report(course: &Path, format: &str) -> Output {
    run(checker(course).args(["report", "--format", format, "--student", "Ada Lovelace"]))
}

/// Each exercise's status in a JSON report.
fn statuses(json: &Value) -> Vec<&str> {
    json["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect()
}

#[test]
#[serial]
fn every_report_format_reads_back() {
    // Two states of the fixture's two exercises: ex01 solved and ex02 not
    // started (the untouched stub), then ex02 not compiling.
    let course = shared_fixture("course_tools");
    put(course.path(), "ex01", "ex01.rs"); // solved

    // json: valid against the published schema, and says what happened.
    let out = report(course.path(), "json");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).expect("the report is JSON");
    assert_valid_report(&json);
    assert_eq!(json["student"], "Ada Lovelace");
    assert_eq!(json["points"]["earned"], 10);
    assert_eq!(json["points"]["possible"], 15);
    assert_eq!(statuses(&json), ["solved", "not_started"]);
    let ex01_tests = json["exercises"][0]["tests"].as_array().unwrap();
    assert_eq!(
        ex01_tests.len(),
        3,
        "every test of ex01's suite: {ex01_tests:?}"
    );
    assert!(ex01_tests
        .iter()
        .all(|t| t["status"] == "passed" && t["message"].is_null()));
    assert!(
        ex01_tests.iter().any(|t| t["duration_secs"].is_number()),
        "the graders time the student's code"
    );
    let ex02_failure = &json["exercises"][1]["tests"][0];
    assert!(ex02_failure["message"]
        .as_str()
        .unwrap()
        .contains("NOT STARTED"));

    // junit: read back by quick-junit's deserializer (the one nextest uses).
    let out = report(course.path(), "junit");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let junit = quick_junit::Report::deserialize_from_str(&out.stdout).expect("valid JUnit XML");
    let [ex01, ex02] = &junit.test_suites[..] else {
        panic!("one suite per exercise: {junit:?}")
    };
    assert!(ex01.name.as_str().starts_with("ex01"));
    assert_eq!((ex01.failures, ex01.errors), (0, 0));
    assert_eq!(ex02.failures, ex02.test_cases.len());
    let failure = &ex02.test_cases[0];
    match &failure.status {
        quick_junit::TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } => {
            assert!(
                message.as_ref().unwrap().as_str().contains("your code"),
                "{message:?}"
            );
            assert!(description
                .as_ref()
                .unwrap()
                .as_str()
                .contains("NOT STARTED"));
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    // ex02 no longer compiles.
    fs::write(student_file(course.path(), "ex02"), "pub fn broken( {}\n").unwrap();
    let out = report(course.path(), "json");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).expect("the report is JSON");
    assert_valid_report(&json);
    assert_eq!(statuses(&json), ["solved", "does_not_compile"]);
    assert!(json["exercises"][1]["detail"]
        .as_str()
        .unwrap()
        .contains("lib.rs"));
    let out = report(course.path(), "junit");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let junit = quick_junit::Report::deserialize_from_str(&out.stdout).expect("valid JUnit XML");
    assert_eq!(junit.test_suites.len(), 2);
    assert_eq!(junit.test_suites[1].errors, 1);

    // classroom: the autograding-grading-reporter's input, version 1.
    let out = report(course.path(), "classroom");
    let classroom: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(classroom["version"], 1);
    assert_eq!(classroom["status"], "fail");
    assert_eq!(classroom["max_score"], 15);
    let tests = classroom["tests"].as_array().unwrap();
    let summary: Vec<(&str, u64)> = tests
        .iter()
        .map(|t| (t["status"].as_str().unwrap(), t["score"].as_u64().unwrap()))
        .collect();
    assert_eq!(summary, [("pass", 10), ("error", 0)]);
    for t in tests {
        for key in [
            "name",
            "message",
            "test_code",
            "filename",
            "line_no",
            "duration",
        ] {
            assert!(t.get(key).is_some(), "classroom test lacks {key}: {t}");
        }
    }

    // exercism: results.json version 2.
    let out = report(course.path(), "exercism");
    let exercism: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(exercism["version"], 2);
    assert_eq!(exercism["status"], "fail");
    assert!(
        exercism["message"].is_null(),
        "a message only when nothing ran"
    );
    let tests = exercism["tests"].as_array().unwrap();
    assert!(tests
        .iter()
        .any(|t| t["status"] == "error"
            && t["message"].as_str().unwrap().contains("does not compile")));
    assert!(tests
        .iter()
        .all(|t| t["test_code"].is_string() && t["name"].is_string()));

    // markdown, also appended to GitHub's step summary.
    let summary_file = course.path().join("step-summary.md");
    fs::write(&summary_file, "earlier step\n").unwrap();
    let out = run(checker(course.path())
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .args([
            "report", "--format", "markdown", "--only", "ex01", "--output",
        ])
        .arg(course.path().join("summary.md")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let md = fs::read_to_string(course.path().join("summary.md")).unwrap();
    assert!(
        md.contains("| Exercise | Status | Tests | Points |"),
        "{md}"
    );
    assert!(
        md.contains("| ex01 First response wins | ✅ solved |"),
        "{md}"
    );
    assert_eq!(
        fs::read_to_string(&summary_file).unwrap(),
        format!("earlier step\n{md}")
    );

    // html: one self-contained page (tests/browser.rs opens it in Chromium).
    let out = run(checker(course.path())
        .args([
            "report",
            "--format",
            "html",
            "--only",
            "ex01",
            "--student",
            "Ada",
            "--output",
        ])
        .arg(course.path().join("report.html")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = fs::read_to_string(course.path().join("report.html")).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "expected an HTML page:\n{html}"
    );
    assert!(
        html.contains("Fixture course: Ada") && html.contains("✔ solved"),
        "expected the student and ex01 solved on the page:\n{html}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains(" src="),
        "expected a self-contained page (no address, no external file):\n{html}"
    );
}

#[test]
fn the_fixture_report_matches_the_schema() {
    let v1: Value = serde_json::from_str(
        &fs::read_to_string(course_root().join("checker/tests/fixtures/report-v1.json")).unwrap(),
    )
    .unwrap();
    assert!(
        schema_version(1).is_valid(&v1),
        "the version-1 fixture matches the version-1 schema"
    );
    let v2: Value = serde_json::from_str(
        &fs::read_to_string(course_root().join("checker/tests/fixtures/report-v2.json")).unwrap(),
    )
    .unwrap();
    assert!(
        schema_version(2).is_valid(&v2),
        "the version-2 fixture matches the version-2 schema"
    );
    let v3: Value = serde_json::from_str(
        &fs::read_to_string(course_root().join("checker/tests/fixtures/report-v3.json")).unwrap(),
    )
    .unwrap();
    assert!(
        schema_version(3).is_valid(&v3),
        "the version-3 fixture matches the version-3 schema"
    );
    let fixture: Value = serde_json::from_str(
        &fs::read_to_string(course_root().join("checker/tests/fixtures/report-v4.json")).unwrap(),
    )
    .unwrap();
    assert_valid_report(&fixture);
    let mut unseen_apart = fixture.clone();
    unseen_apart["exercises"][0]["tests"][2]["observed"]["lanes"][0]["unseen"] =
        serde_json::json!([]);
    assert!(
        !schema().is_valid(&unseen_apart),
        "version 4 has no `unseen`: a span's `end_seen` says it"
    );
    let mut with_cause = fixture.clone();
    with_cause["exercises"][0]["tests"][2]["cause"] = "wrong-order".into();
    with_cause["exercises"][0]["tests"][2]["candidates"] = serde_json::json!(["wrong-order"]);
    assert_valid_report(&with_cause);
    let mut unknown_cause = fixture.clone();
    unknown_cause["exercises"][0]["tests"][2]["cause"] = "Not An Id".into();
    assert!(
        !schema().is_valid(&unknown_cause),
        "a cause is an id of the vocabulary's form"
    );
    let mut broken = fixture.clone();
    broken["exercises"][0]["status"] = "great".into();
    assert!(
        !schema().is_valid(&broken),
        "the schema rejects an unknown status"
    );
}

#[test]
fn the_class_rollup_counts_good_reports_and_names_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        fs::read_to_string(course_root().join("checker/tests/fixtures/report-v1.json")).unwrap();
    let ada: Value = serde_json::from_str(&fixture).unwrap();
    let mut bob = ada.clone();
    bob["student"] = "Bob".into();
    bob["exercises"][1]["status"] = "failing".into();
    bob["exercises"][1]["points"]["earned"] = 0.into();
    bob["points"]["earned"] = 0.into();
    bob["exercises"][1]["tests"][0]["status"] = "failed".into();
    let mut eve = ada.clone();
    eve["student"] = "=HYPERLINK(\"x\")\u{1b}[31m".into();
    let mut future = ada.clone();
    future["schema_version"] = 99.into();
    let write = |name: &str, text: String| fs::write(dir.path().join(name), text).unwrap();
    write("ada.json", fixture.clone());
    write("bob.json", bob.to_string());
    write("eve.json", eve.to_string());
    write("truncated.json", fixture[..fixture.len() / 2].to_string());
    write(
        "foreign.json",
        r#"{"version": 2, "status": "pass", "tests": []}"#.into(),
    );
    write("future.json", future.to_string());
    write("huge.json", " ".repeat(5 << 20));
    write("notes.txt", "not a report".into());

    let out = run(checker(dir.path())
        .args(["class", "--format", "json"])
        .arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rollup: Value = serde_json::from_str(&out.stdout).unwrap();
    let students: Vec<&str> = rollup["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["student"].as_str().unwrap())
        .collect();
    assert_eq!(
        students,
        ["=HYPERLINK(\"x\")[31m", "Ada", "Bob"],
        "control characters stripped"
    );
    let skipped: Vec<(String, String)> = rollup["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let file = Path::new(s["file"].as_str().unwrap()).file_name().unwrap();
            (
                file.to_string_lossy().into_owned(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason = |name: &str| &skipped.iter().find(|(f, _)| f == name).expect(name).1;
    assert!(
        reason("truncated.json").starts_with("truncated"),
        "{skipped:?}"
    );
    assert!(
        reason("foreign.json").starts_with("not a course report"),
        "{skipped:?}"
    );
    assert!(
        reason("future.json").contains("report version 99"),
        "{skipped:?}"
    );
    assert!(reason("huge.json").starts_with("oversized"), "{skipped:?}");
    assert_eq!(
        skipped.len(),
        4,
        "notes.txt is not a .json file: {skipped:?}"
    );
    for (file, _) in &skipped {
        assert!(out
            .stderr
            .contains(&format!("skipped {}", dir.path().join(file).display())));
    }
    let ex02 = &rollup["exercises"][1];
    assert_eq!(
        (ex02["solved"].as_u64(), ex02["students"].as_u64()),
        (Some(2), Some(3))
    );
    let common = &rollup["common_failures"][0];
    assert_eq!(common["students"], 3, "{common}");
    assert_eq!(common["test"], "names_come_back_in_input_order");

    let csv = run(checker(dir.path())
        .args(["class", "--format", "csv"])
        .arg(dir.path()));
    assert_eq!(
        csv.stdout.lines().next(),
        Some("student,ex01,ex02,points,possible")
    );
    assert!(
        csv.stdout
            .contains("\"'=HYPERLINK(\"\"x\"\")[31m\",failing,solved,10,20"),
        "formula defused and quoted:\n{}",
        csv.stdout
    );
    let md = run(checker(dir.path())
        .args(["class", "--format", "markdown"])
        .arg(dir.path()));
    assert!(
        md.stdout.contains("| Bob | failing | failing | 0/20 |"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("| **completion** | 0% | 67% |"),
        "{}",
        md.stdout
    );
    let text = run(checker(dir.path()).arg("class").arg(dir.path()));
    assert!(text.stdout.contains("3 students"), "{}", text.stdout);
    assert!(text.stdout.contains("common mistakes"), "{}", text.stdout);

    let none = run(checker(dir.path())
        .args(["class"])
        .arg(dir.path().join("foreign.json")));
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains("no report could be read"),
        "{}",
        none.stderr
    );
}

#[test]
fn the_classroom_workflow_follows_the_manifest() {
    // (The real course's committed workflow is checked by dev check's rule,
    // in proof.rs's `verify_proves_every_grader`.)
    let course = fixture_course();
    let manifest = course.path().join("course.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    let changed = text.replacen("points = 10", "points = 25", 1);
    fs::write(&manifest, changed).unwrap();
    let stale = run(checker(course.path()).args(["dev", "workflow", "--check"]));
    assert_eq!(stale.code, 1);
    assert!(stale.stderr.contains("is stale"), "{}", stale.stderr);
    let written = run(checker(course.path()).args(["dev", "workflow"]));
    assert_eq!(written.code, 0, "{}", written.stderr);
    let yaml = fs::read_to_string(course.path().join(".github/workflows/classroom.yml")).unwrap();
    assert!(
        yaml.contains("command: cargo test -p ex01\n          timeout: 3\n          max-score: 25"),
        "{yaml}"
    );
    assert!(yaml.contains("EX02_RESULTS: \"${{steps.ex02.outputs.result}}\""));
    assert_eq!(
        run(checker(course.path()).args(["dev", "workflow", "--check"])).code,
        0
    );
}

#[test]
fn a_broken_manifest_names_the_line_and_the_fix() {
    let course = fixture_course();
    let manifest = course.path().join("course.toml");
    let good = fs::read_to_string(&manifest).unwrap();
    let entry = |id: &str, extra: &str| {
        format!("\n[[exercise]]\nid = \"{id}\"\ntitle = \"T\"\npath = \"exercises/ex01-first-response\"\n{extra}\n")
    };
    // The appended entry's table starts two lines below the old end.
    let at_entry = format!("course.toml:{}", good.lines().count() + 2);
    let cases: Vec<(String, String, Vec<&str>)> = vec![
        (
            good.clone() + "\n[[exercise]\n",
            "bad TOML".into(),
            vec!["course.toml", "line"],
        ),
        (
            good.clone() + &entry("ex99", "points = 1\npoint = 3"),
            "unknown key".into(),
            vec!["unknown field `point`"],
        ),
        (
            good.clone() + &entry("ex99", ""),
            "no points".into(),
            vec!["missing field `points`"],
        ),
        (
            good.clone() + &entry("ex01", "points = 1"),
            "duplicate id".into(),
            vec![&at_entry, "already used"],
        ),
        (
            good.clone() + &entry("ex99", "points = 0"),
            "zero points".into(),
            vec![&at_entry, "points must be a positive whole number"],
        ),
        (
            good.replace(
                "path = \"exercises/ex02-threads-at-once\"",
                "path = \"exercises/ex02-nope\"",
            ),
            "missing path".into(),
            vec![
                "course.toml:",
                "`ex02`",
                "exercises/ex02-nope is missing",
                "fix `path`",
            ],
        ),
        (
            good.replace(
                "path = \"exercises/ex02-threads-at-once\"",
                "path = \"../elsewhere\"",
            ),
            "outside path".into(),
            vec!["must be a folder inside the repository"],
        ),
    ];
    for (text, what, expected) in cases {
        fs::write(&manifest, &text).unwrap();
        let out = run(checker(course.path()).arg("list"));
        assert_eq!(out.code, 2, "{what}: {}", out.stdout);
        assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
        for e in expected {
            assert!(
                out.stderr.contains(e),
                "{what}: expected {e:?} in:\n{}",
                out.stderr
            );
        }
    }
}

#[test]
#[serial]
fn a_new_exercise_is_scaffolded_and_verify_lists_what_is_missing() {
    let course = shared_fixture("course_tools");
    let out = run(checker(course.path()).args(["dev", "new", "ex03", "--title", "Rate limiting"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    for file in [
        "exercises/ex03-rate-limiting/Cargo.toml",
        "exercises/ex03-rate-limiting/src/lib.rs",
        "tests/ex03.rs",
        "solutions/ex03.rs",
        "solutions/stubs/ex03.rs",
    ] {
        assert!(course.path().join(file).is_file(), "{file} not created");
        assert!(out.stdout.contains(file), "{}", out.stdout);
    }
    let again = run(checker(course.path()).args(["dev", "new", "ex03", "--title", "Again"]));
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("already has an exercise `ex03`"),
        "{}",
        again.stderr
    );

    let verify = run(checker(course.path()).args(["dev", "verify", "--only", "ex03"]));
    assert_eq!(verify.code, 1, "{}\n{}", verify.stdout, verify.stderr);
    let table = verify.stdout;
    assert!(table.contains("no hints in course.toml"), "{table}");
    assert!(table.contains("no catalogued mistake"), "{table}");
    let line = |label: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(label))
            .unwrap_or_else(|| panic!("no {label} row:\n{table}"))
            .to_string()
    };
    assert!(
        line("stub").contains("ok"),
        "the stub fails its suite: {table}"
    );
    assert!(
        line("reference").contains("MISS"),
        "the placeholder reference cannot pass: {table}"
    );
    // `dev new` keeps what is generated from the manifest current, and gives
    // the README's exercise table its row.
    let workflow = run(checker(course.path()).args(["dev", "workflow", "--check"]));
    assert_eq!(
        workflow.code, 0,
        "dev new regenerates the workflow: {}",
        workflow.stderr
    );
    let readme = std::fs::read_to_string(course.path().join("README.md")).unwrap();
    assert_contains(
        &readme,
        "`exercises/ex03-rate-limiting`",
        "the README's table",
    );
    assert_contains(&out.stdout, "Next:", "dev new's next steps");
}
