//! Reports say what the terminal says: a deleted student file is `file
//! missing` (not a compile error) in JSON, HTML and GitHub Classroom's
//! format, and Classroom names a folder suite by its real file. Nothing
//! here builds: a missing file is judged before any build.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use serde_json::Value;

/// Makes `id`'s suite a folder (`tests/<id>/main.rs`), as a course with
/// suites split in modules has it; the fixture's suites are single files.
fn make_suite_a_folder(course: &Path, id: &str) {
    let folder = course.join("tests").join(id);
    fs::create_dir(&folder).unwrap();
    fs::rename(
        course.join("tests").join(format!("{id}.rs")),
        folder.join("main.rs"),
    )
    .unwrap();
    let manifest = student_file(course, id)
        .parent()
        .and_then(Path::parent)
        .expect("the exercise's folder")
        .join("Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    let old = format!("tests/{id}.rs");
    assert!(
        text.contains(&old),
        "{} names its suite: {text}",
        manifest.display()
    );
    fs::write(
        &manifest,
        text.replace(&old, &format!("tests/{id}/main.rs")),
    )
    .unwrap();
}

#[test]
fn a_deleted_student_file_is_file_missing_in_every_report() {
    let course = fixture_course();
    // One suite a folder, one a file: Classroom names each by its real file.
    make_suite_a_folder(course.path(), "ex01");
    for id in ["ex01", "ex02"] {
        fs::remove_file(student_file(course.path(), id)).unwrap();
    }
    let report = |format: &str| {
        run(checker(course.path()).args([
            "report", "--format", format, "--only", "ex01", "--only", "ex02",
        ]))
    };

    let terminal = run(checker(course.path())
        .args(["--only", "ex02"])
        .env("NO_COLOR", "1"));
    assert!(
        terminal.stdout.contains("file missing"),
        "{}",
        terminal.stdout
    );

    let out = report("json");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let exercises = json["exercises"].as_array().unwrap();
    assert_eq!(exercises.len(), 2, "{json}");
    for e in exercises {
        assert_eq!(e["status"], "file_missing", "{e}");
        assert!(
            e["detail"].as_str().unwrap().contains("lib.rs is missing"),
            "{e}"
        );
    }

    let html = report("html").stdout;
    assert!(html.contains("⚠ file missing"), "{html}");
    assert!(!html.contains("does not compile"), "{html}");

    let classroom: Value = serde_json::from_str(&report("classroom").stdout).unwrap();
    let files: Vec<&str> = classroom["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["filename"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["tests/ex01/main.rs", "tests/ex02.rs"]);
    for file in &files {
        assert!(course.path().join(file).is_file(), "{file} exists");
    }
    for t in classroom["tests"].as_array().unwrap() {
        assert!(
            t["message"].as_str().unwrap().starts_with("file missing:"),
            "{t}"
        );
    }
}
