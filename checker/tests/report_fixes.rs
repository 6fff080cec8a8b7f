//! Reports say what the terminal says: a deleted student file is `file
//! missing` (not a compile error) in JSON, HTML and GitHub Classroom's
//! format, and Classroom names a folder suite by its real file. Nothing
//! here builds: a missing file is judged before any build.

mod common;

use std::fs;

use common::*;
use serde_json::Value;

#[test]
fn a_deleted_student_file_is_file_missing_in_every_report() {
    let course = scratch_course();
    for id in ["ex02", "ex05"] {
        fs::remove_file(student_file(course.path(), id)).unwrap();
    }
    let report = |format: &str| {
        run(checker(course.path()).args([
            "report", "--format", format, "--only", "ex02", "--only", "ex05",
        ]))
    };

    let terminal = run(checker(course.path())
        .args(["--only", "ex05"])
        .env("NO_COLOR", "1"));
    assert!(
        terminal.stdout.contains("file missing"),
        "{}",
        terminal.stdout
    );

    let out = report("json");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    for e in json["exercises"].as_array().unwrap() {
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
    // ex02's suite is a folder, ex05's too: each named by its main.rs.
    for (id, file) in ["ex02", "ex05"].iter().zip(&files) {
        let folder = course.path().join("tests").join(id);
        let expected = if folder.is_dir() {
            format!("tests/{id}/main.rs")
        } else {
            format!("tests/{id}.rs")
        };
        assert_eq!(*file, expected);
        assert!(course.path().join(file).is_file(), "{file} exists");
    }
    assert!(classroom["tests"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("file missing:"));
}
