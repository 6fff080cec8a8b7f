//! The student's view: the progress table, the bar, and what to do next.
//! Colour goes through `anstream`, which strips it when the output is not a
//! terminal, when `NO_COLOR` is set, or with `--color never`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::check::{Report, Status};

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// The status column: a word a student can act on.
pub fn status_text(status: &Status, failed: usize, total: usize) -> (Style, String) {
    match status {
        Status::Solved => (GREEN, "solved".into()),
        Status::NotStarted => (DIM, "not started".into()),
        Status::Failing => (YELLOW, format!("failing ({failed} of {total})")),
        Status::DoesNotCompile(_) => (RED, "does not compile".into()),
        Status::TimedOut(limit) => (RED, format!("timed out ({})", secs_short(*limit))),
        Status::Crashed(_) => (RED, "crashed".into()),
    }
}

/// `3 s`, `2.5 s`.
fn secs_short(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// The whole view as text (with colour codes; the caller's stream strips them).
pub fn render(reports: &[Report], bar_style: BarStyle) -> String {
    let mut out = String::new();
    let title_width = reports
        .iter()
        .map(|r| r.exercise.title.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "{:<2}  {:<6} {:<title_width$}  {:<20} {:>6}  {:>6}",
                "#", "id", "title", "status", "tests", "time"
            )
        )
    );
    for (n, r) in reports.iter().enumerate() {
        let total = r.tests.len();
        let (style, status) = status_text(&r.status, r.failed(), total);
        let tests = if total == 0 {
            "-".to_string()
        } else {
            format!("{}/{}", r.passed(), total)
        };
        let time = match r.status {
            Status::DoesNotCompile(_) => "-".to_string(),
            _ => seconds(r.elapsed),
        };
        let _ = writeln!(
            out,
            "{:<2}  {:<6} {:<title_width$}  {} {:>6}  {:>6}",
            n + 1,
            r.exercise.id,
            r.exercise.title,
            paint(style, &format!("{status:<20}")),
            tests,
            time
        );
    }
    let solved = reports.iter().filter(|r| r.status.is_solved()).count();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Progress: {} {solved}/{} solved",
        bar(solved, reports.len(), bar_style),
        reports.len()
    );
    match reports.iter().find(|r| !r.status.is_solved()) {
        None => {
            let _ = writeln!(
                out,
                "\n{}",
                paint(GREEN, "Every exercise is solved. Well done!")
            );
        }
        Some(r) => next_steps(&mut out, r),
    }
    out
}

/// What to look at and what to run for the first unsolved exercise.
fn next_steps(out: &mut String, r: &Report) {
    let id = &r.exercise.id;
    let _ = writeln!(
        out,
        "\n{} {} {} ({})",
        paint(BOLD, "Next:"),
        id,
        r.exercise.title,
        r.exercise.student_file().display()
    );
    match &r.status {
        Status::NotStarted => {
            let _ = writeln!(
                out,
                "  Not started yet: read the sheet at the top of the file (or `cargo doc -p {id} --open`) and replace the `todo!()`s."
            );
        }
        Status::Failing => first_failure(out, r),
        Status::DoesNotCompile(error) => {
            let location = error.location.as_deref().unwrap_or("(no location)");
            let _ = writeln!(out, "  Does not compile: {location}: {}", error.message);
            if location.starts_with("tests/") {
                let _ = writeln!(
                    out,
                    "  The graded suite no longer compiles against your file: keep the public \
                     signatures exactly as the stub has them."
                );
            }
        }
        Status::TimedOut(limit) => {
            let _ = writeln!(
                out,
                "  Hung: the tests were still running after {} and were stopped. An infinite \
                 loop, or a deadlock (a lock or a channel waited on forever)?",
                secs_short(*limit)
            );
            first_failure(out, r);
        }
        Status::Crashed(reason) => {
            let _ = writeln!(out, "  The test process crashed: {reason}.");
        }
        Status::Solved => {}
    }
    let _ = writeln!(out, "  Run:  cargo test -p {id}");
    let _ = writeln!(out, "  Hint: cargo run -- hint {id}");
}

fn first_failure(out: &mut String, r: &Report) {
    if let Some(t) = r.first_failure() {
        let _ = writeln!(out, "  First failing test: {}", paint(BOLD, &t.name));
        for line in diagnosis(&t.message).lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
}

/// The grader's diagnosis, without harness noise; at most a dozen lines.
pub fn diagnosis(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .filter(|l| !l.starts_with("test failed at ") && !l.starts_with("note: run with"))
        .filter(|l| !l.trim().is_empty())
        .take(12)
        .collect();
    lines.join("\n")
}

#[derive(Debug, Clone, Copy)]
pub enum BarStyle {
    Unicode,
    Ascii,
}

impl BarStyle {
    /// Block characters on a terminal, plain ASCII when piped.
    pub fn detect() -> BarStyle {
        if std::io::stdout().is_terminal() {
            BarStyle::Unicode
        } else {
            BarStyle::Ascii
        }
    }
}

fn bar(done: usize, total: usize, style: BarStyle) -> String {
    const WIDTH: usize = 20;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(0);
    let (full, empty) = match style {
        BarStyle::Unicode => ("█", "░"),
        BarStyle::Ascii => ("#", "-"),
    };
    format!("[{}{}]", full.repeat(filled), empty.repeat(WIDTH - filled))
}

/// `checker list`: exercises, topics, and the course checklist ticked from
/// what is solved (an item is ticked once every exercise proving it is solved).
pub fn render_list(reports: &[Report]) -> String {
    let mut out = String::new();
    for (n, r) in reports.iter().enumerate() {
        let (style, status) = status_text(&r.status, r.failed(), r.tests.len());
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
            let _ = writeln!(out, "   {} {item}", tick(r.status.is_solved()));
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
            let proving: Vec<&Report> = reports
                .iter()
                .filter(|r| r.exercise.checklist.iter().any(|i| i == item))
                .collect();
            let done = proving.iter().all(|r| r.status.is_solved());
            let ids: Vec<&str> = proving.iter().map(|r| r.exercise.id.as_str()).collect();
            let _ = writeln!(
                out,
                "  {} {item} {}",
                tick(done),
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
