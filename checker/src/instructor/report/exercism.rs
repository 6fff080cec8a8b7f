//! Exercism's test-runner `results.json`, version 2 (one entry per test, in
//! the suite's order). Exercism allows "error" overall only when no test ran.

use serde::Serialize;

use super::model::{CourseReport, TestStatus};

/// Exercism's limit for the top-level message.
const MESSAGE_LIMIT: usize = 65_535;

#[derive(Debug, Serialize)]
pub struct Results {
    pub version: u32,
    /// "pass", "fail" or "error".
    pub status: String,
    pub message: Option<String>,
    pub tests: Vec<Test>,
}

#[derive(Debug, Serialize)]
pub struct Test {
    pub name: String,
    pub status: String,
    pub message: Option<String>,
    /// What the test printed; the graders' diagnosis is in `message`.
    pub output: Option<String>,
    pub test_code: String,
}

pub fn from(report: &CourseReport) -> Results {
    let mut tests = Vec::new();
    let mut errors = Vec::new();
    for e in &report.exercises {
        if e.status.is_error() {
            let why = format!(
                "{} {}: {}",
                e.id,
                e.status.label(),
                e.detail.as_deref().unwrap_or("")
            );
            tests.push(Test {
                name: format!("{}: the suite runs", e.id),
                status: "error".into(),
                message: Some(why.clone()),
                output: None,
                test_code: format!("cargo test -p {}", e.id),
            });
            errors.push(why);
        }
        for t in e.tests.iter().filter(|t| t.status != TestStatus::Ignored) {
            let passed = t.status == TestStatus::Passed;
            tests.push(Test {
                name: format!("{}: {}", e.id, t.name.replace('_', " ")),
                status: if passed { "pass" } else { "fail" }.into(),
                message: t.message.clone(),
                output: None,
                test_code: format!("cargo test -p {} -- --exact {}", e.id, t.name),
            });
        }
    }
    let status = if tests.iter().all(|t| t.status == "error") {
        "error"
    } else if tests.iter().all(|t| t.status == "pass") {
        "pass"
    } else {
        "fail"
    };
    let message = (status == "error").then(|| {
        let text = if errors.is_empty() {
            "no test ran".to_string()
        } else {
            errors.join("\n")
        };
        cut(&text, MESSAGE_LIMIT)
    });
    Results {
        version: 2,
        status: status.into(),
        message,
        tests,
    }
}

/// At most `limit` bytes, cut on a character boundary, marked when cut.
fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let marker = "…";
    let mut end = limit - marker.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{marker}", &text[..end])
}
