//! `checker list`: the exercises, their topics, and the course checklist.
//! A checklist item is ticked once every exercise proving it is solved, and
//! it is shown the same way wherever it appears.

use std::fmt::Write as _;

use crate::engine::check::Report;
use crate::student::view::{paint, status_text};

use anstyle::{AnsiColor, Style};

const GREEN: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// An item is done when every exercise listing it is solved.
fn done(reports: &[Report], item: &str) -> bool {
    proving(reports, item)
        .iter()
        .all(|r| r.status().is_solved())
}

fn proving<'a>(reports: &'a [Report], item: &str) -> Vec<&'a Report> {
    reports
        .iter()
        .filter(|r| r.exercise.checklist.iter().any(|i| i == item))
        .collect()
}

pub fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    for (n, r) in reports.iter().enumerate() {
        let (style, status) = status_text(r.status(), r.verdict.failed(), r.verdict.tests.len());
        let _ = writeln!(
            out,
            "{:<2} {} {}  {}",
            n + 1,
            paint(BOLD, &r.exercise.id),
            paint(BOLD, &r.exercise.title),
            paint(style, &format!("[{status}]"))
        );
        if !r.exercise.topic.is_empty() {
            let _ = writeln!(out, "   {}", r.exercise.topic);
        }
        for item in &r.exercise.checklist {
            let others: Vec<&str> = proving(reports, item)
                .iter()
                .filter(|p| p.exercise.id != r.exercise.id && !p.status().is_solved())
                .map(|p| p.exercise.id.as_str())
                .collect();
            let note = if others.is_empty() || !r.status().is_solved() {
                String::new()
            } else {
                format!(
                    " {}",
                    paint(DIM, &format!("(also needs {})", others.join(", ")))
                )
            };
            let _ = writeln!(out, "   {} {item}{note}", tick(done(reports, item)));
        }
    }
    let mut items: Vec<&str> = Vec::new();
    for r in reports {
        for item in &r.exercise.checklist {
            if !items.contains(&item.as_str()) {
                items.push(item);
            }
        }
    }
    if !items.is_empty() {
        let _ = writeln!(out, "\n{}", paint(BOLD, "Course checklist"));
        for item in items {
            let ids: Vec<&str> = proving(reports, item)
                .iter()
                .map(|r| r.exercise.id.as_str())
                .collect();
            let _ = writeln!(
                out,
                "  {} {item} {}",
                tick(done(reports, item)),
                paint(DIM, &format!("({})", ids.join(", ")))
            );
        }
    }
    out
}

fn tick(done: bool) -> String {
    if done {
        paint(GREEN, "[x]")
    } else {
        "[ ]".to_string()
    }
}
