//! A Markdown summary: the table a student or a CI run summary shows.

use std::fmt::Write as _;

use super::model::{CourseReport, ExerciseStatus, TestStatus};

pub fn render(report: &CourseReport) -> String {
    let mut out = String::new();
    let who = report
        .student
        .as_deref()
        .map_or(String::new(), |s| format!(" — {}", escape(s)));
    let _ = writeln!(out, "## {}{who}\n", escape(report.course_title()));
    let _ = writeln!(
        out,
        "**{} / {} points**, {} of {} exercises solved.\n",
        report.points.earned,
        report.points.possible,
        report
            .exercises
            .iter()
            .filter(|e| e.status == ExerciseStatus::Solved)
            .count(),
        report.exercises.len()
    );
    let _ = writeln!(out, "| Exercise | Status | Tests | Points |");
    let _ = writeln!(out, "|---|---|---:|---:|");
    for e in &report.exercises {
        let passed = e
            .tests
            .iter()
            .filter(|t| t.status == TestStatus::Passed)
            .count();
        let icon = match e.status {
            ExerciseStatus::Solved => "✅",
            ExerciseStatus::NotStarted => "⬜",
            ExerciseStatus::Failing => "❌",
            _ => "⚠️",
        };
        let tests = if e.tests.is_empty() {
            "-".to_string()
        } else {
            format!("{passed}/{}", e.tests.len())
        };
        let _ = writeln!(
            out,
            "| {} {} | {icon} {} | {tests} | {}/{} |",
            e.id,
            escape(&e.title),
            e.status.label(),
            e.points.earned,
            e.points.possible
        );
    }
    let problems: Vec<String> = report
        .exercises
        .iter()
        .filter(|e| e.status != ExerciseStatus::Solved && e.status != ExerciseStatus::NotStarted)
        .map(|e| {
            let why = match (&e.detail, crate::engine::verdict::first_failure(&e.tests)) {
                (Some(detail), _) => detail.clone(),
                (None, Some(t)) => format!(
                    "`{}`: {}",
                    t.name,
                    t.message
                        .as_deref()
                        .and_then(|m| m.lines().find(|l| !l.trim().is_empty()))
                        .unwrap_or("failed")
                        .trim()
                ),
                (None, None) => e.status.label().to_string(),
            };
            let picture = crate::engine::verdict::first_failure(&e.tests)
                .and_then(|t| t.picture())
                .map_or(String::new(), |p| {
                    format!("\n\n  ```text\n{}  ```", indent(&p))
                });
            format!("- **{}**: {}{picture}", e.id, escape(&why))
        })
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n### First problem per exercise\n");
        for p in problems {
            let _ = writeln!(out, "{p}");
        }
    }
    out
}

/// Indents a block under a list item.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// Keeps a value from breaking the table.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
