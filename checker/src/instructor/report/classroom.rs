//! GitHub Classroom's autograding result, version 1: the JSON each grader
//! step hands (base64-encoded) to `autograding-grading-reporter`, which adds
//! up `score` against `max_score` and posts the points to Classroom.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::CourseReport;

#[derive(Debug, Serialize)]
pub struct Result {
    pub version: u32,
    /// "pass", "fail" or "error".
    pub status: String,
    pub max_score: u32,
    pub tests: Vec<Test>,
}

#[derive(Debug, Serialize)]
pub struct Test {
    pub name: String,
    pub status: String,
    pub score: u32,
    pub message: Option<String>,
    pub test_code: String,
    pub filename: String,
    pub line_no: u32,
    pub duration: u64,
}

/// One entry per exercise: scores are all or nothing per exercise, as in the
/// generated workflow, so Classroom shows the same total as `checker report`.
/// `suites` names each exercise's suite file; an exercise the course no
/// longer has (a report from another version) falls back to `tests/<id>.rs`.
pub fn from(report: &CourseReport, suites: &BTreeMap<String, String>) -> Result {
    let tests: Vec<Test> = report
        .exercises
        .iter()
        .map(|e| {
            let solved = e.points.earned == e.points.possible;
            let failed: Vec<&str> = crate::engine::verdict::most_telling_first(&e.tests)
                .into_iter()
                .map(|t| t.name.as_str())
                .collect();
            let message = if e.status.is_error() {
                Some(format!(
                    "{}: {}",
                    e.status.label(),
                    e.detail.as_deref().unwrap_or("")
                ))
            } else if !failed.is_empty() {
                Some(format!(
                    "{} of {} tests fail: {}. Run `cargo test -p {}` for the diagnosis.",
                    failed.len(),
                    e.tests.len(),
                    failed.join(", "),
                    e.id
                ))
            } else {
                None
            };
            Test {
                name: format!("{}: {}", e.id, e.title),
                status: if e.status.is_error() {
                    "error"
                } else if solved {
                    "pass"
                } else {
                    "fail"
                }
                .into(),
                score: e.points.earned,
                message,
                test_code: format!("cargo test -p {}", e.id),
                filename: suites
                    .get(&e.id)
                    .cloned()
                    .unwrap_or_else(|| format!("tests/{}.rs", e.id)),
                line_no: 0,
                duration: (e.duration_secs * 1000.0).round() as u64,
            }
        })
        .collect();
    let status = if tests.iter().all(|t| t.status == "pass") {
        "pass"
    } else if tests.iter().all(|t| t.status == "error") {
        "error"
    } else {
        "fail"
    };
    Result {
        version: 1,
        status: status.into(),
        max_score: report.points.possible,
        tests,
    }
}
