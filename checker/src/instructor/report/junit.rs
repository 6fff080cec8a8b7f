//! JUnit XML (the Jenkins flavour most dashboards read), written by
//! `quick-junit`: one `<testsuite>` per exercise, one `<testcase>` per test.
//! An exercise whose suite could not run is one `<error>` test case, so
//! dashboards count it instead of silently showing nothing.

use std::time::Duration;

use anyhow::Result;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::model::{CourseReport, TestStatus};

pub fn render(report: &CourseReport) -> Result<String> {
    let name = match &report.student {
        Some(student) => format!("{}: {student}", report.course_title()),
        None => report.course_title().to_string(),
    };
    let mut junit = Report::new(name);
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&report.generated_at) {
        junit.set_timestamp(at);
    }
    for e in &report.exercises {
        let mut suite = TestSuite::new(format!("{}: {}", e.id, e.title));
        suite.set_time(secs(e.duration_secs));
        if e.status.is_error() {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_type(e.status.label())
                .set_message(e.detail.clone().unwrap_or_else(|| e.status.label().into()));
            let mut case = TestCase::new("suite", status);
            case.set_classname(&e.id);
            suite.add_test_case(case);
        }
        for t in &e.tests {
            let status = match t.status {
                TestStatus::Passed => TestCaseStatus::success(),
                TestStatus::Ignored => TestCaseStatus::skipped(),
                TestStatus::Failed => {
                    let mut message = t.message.clone().unwrap_or_default();
                    if let Some(picture) = t.picture() {
                        message.push_str("\n\n");
                        message.push_str(&picture);
                    }
                    let first_line = message.lines().find(|l| !l.trim().is_empty());
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status
                        .set_message(first_line.unwrap_or("failed").trim())
                        .set_description(message);
                    status
                }
            };
            let mut case = TestCase::new(&t.name, status);
            case.set_classname(&e.id);
            if let Some(d) = t.duration_secs {
                case.set_time(secs(d));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    Ok(junit.to_string()?)
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or_default()
}
