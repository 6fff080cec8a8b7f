//! The student view: the progress table, the bar, the exercise being worked
//! on with its full diagnosis, and where the course continues. It renders to
//! a `String` with colour codes; the binary's output stream strips them when
//! it is not a terminal, when `NO_COLOR` is set, or with `--color never`.

use std::fmt::Write as _;
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::engine::check::Report;
use crate::engine::verdict::{Hang, Status};
use crate::student::focus;

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// Lines of a compiler error or a diagnosis shown under the table.
const DIAGNOSIS_LINES: usize = 14;

pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarStyle {
    Unicode,
    Ascii,
}

/// What the view is about.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The reports cover the whole course (no `--only`).
    pub whole_course: bool,
    /// In `watch`: the exercise whose file was just saved.
    pub just_saved: Option<&'a str>,
    pub bar: BarStyle,
    /// How timelines are drawn: blocks on a UTF-8 terminal, ASCII otherwise.
    pub charset: grading_protocol::Charset,
    /// The course's `[course]` table: its welcome and final messages.
    pub info: &'a crate::engine::manifest::CourseInfo,
}

/// The status column: a word a student can act on, with what its number is.
pub fn status_text(status: &Status, failed: usize, total: usize) -> (Style, String) {
    match status {
        Status::Solved => (GREEN, "solved".into()),
        Status::NotStarted => (DIM, "not started".into()),
        Status::Failing => (YELLOW, format!("failing ({failed} of {total})")),
        Status::DoesNotCompile(_) => (RED, "does not compile".into()),
        Status::MissingFile(_) => (RED, "file missing".into()),
        Status::TimedOut(Hang::Watchdog(limit)) => {
            (RED, format!("timed out (watchdog {})", secs_short(*limit)))
        }
        Status::TimedOut(Hang::Killed(limit)) => {
            (RED, format!("timed out (killed at {})", secs_short(*limit)))
        }
        Status::Crashed(_) => (RED, "crashed".into()),
    }
}

/// `3 s`, `2.5 s`, `750 ms`.
pub fn secs_short(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{} ms", d.as_millis())
    } else if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

/// The whole view.
pub fn render(reports: &[Report], scope: Scope<'_>) -> String {
    let mut out = String::new();
    table(&mut out, reports);
    let solved = reports.iter().filter(|r| r.status().is_solved()).count();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Progress: {} {solved}/{} solved{}",
        bar(solved, reports.len(), scope.bar),
        reports.len(),
        if scope.whole_course {
            ""
        } else {
            " (of the exercises checked)"
        }
    );

    let untouched = reports
        .iter()
        .all(|r| matches!(r.status(), Status::NotStarted));
    if scope.whole_course && untouched && !scope.info.welcome.is_empty() {
        let _ = writeln!(out, "\n{}", scope.info.welcome.trim());
    }

    let working = focus::working_on(reports, scope.just_saved);
    let next = focus::next_in_course(reports);
    match working {
        Some(w) if w.status().is_solved() => {
            let _ = writeln!(
                out,
                "\n{} {} {} is solved.",
                paint(GREEN, "Well done:"),
                w.exercise.id,
                w.exercise.title
            );
        }
        Some(w) => {
            let _ = writeln!(
                out,
                "\n{} {} {} ({})",
                paint(BOLD, "Working on:"),
                w.exercise.id,
                w.exercise.title,
                w.exercise.student_file().display()
            );
            diagnosis(&mut out, w, scope.charset);
        }
        None => {}
    }
    match next {
        None if scope.whole_course => {
            let _ = writeln!(
                out,
                "\n{}",
                paint(
                    GREEN,
                    match scope.info.final_message.trim() {
                        "" => "Every exercise is solved. Well done!",
                        message => message,
                    }
                )
            );
        }
        None => {
            let _ = writeln!(
                out,
                "\n{} `cargo run` shows the whole course.",
                paint(GREEN, "Every exercise checked here is solved.")
            );
        }
        Some(n) if working.is_some_and(|w| w.exercise.id == n.exercise.id) => {}
        Some(n) if working.is_some_and(|w| !w.status().is_solved()) => {
            let (_, status) = status_text(n.status(), n.verdict.failed(), n.verdict.tests.len());
            let _ = writeln!(
                out,
                "\n{} {} {} ({status}): {}",
                paint(BOLD, "Then, in course order:"),
                n.exercise.id,
                n.exercise.title,
                n.exercise.student_file().display()
            );
        }
        Some(n) => {
            let _ = writeln!(
                out,
                "\n{} {} {} ({})",
                paint(BOLD, "Next:"),
                n.exercise.id,
                n.exercise.title,
                n.exercise.student_file().display()
            );
            diagnosis(&mut out, n, scope.charset);
        }
    }
    if reports.iter().any(|r| r.reused) {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                DIM,
                "reused: nothing it depends on changed since it was checked \
                 (`cargo run -- --fresh` checks again)"
            )
        );
    }
    out
}

fn table(out: &mut String, reports: &[Report]) {
    let title_width = reports
        .iter()
        .map(|r| r.exercise.title.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let status_width = 26;
    let _ = writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "{:<2}  {:<6} {:<title_width$}  {:<status_width$} {:>6}  {:>10}",
                "#", "id", "title", "status", "tests", "suite time"
            )
        )
    );
    for (n, r) in reports.iter().enumerate() {
        let total = r.verdict.tests.len();
        let (style, status) = status_text(r.status(), r.verdict.failed(), total);
        // A suite killed at its limit reported only some of its tests.
        let partial = matches!(r.status(), Status::TimedOut(Hang::Killed(_)));
        let tests = if total == 0 || partial {
            "-".to_string()
        } else {
            format!("{}/{}", r.verdict.passed(), total)
        };
        let time = match r.status() {
            Status::DoesNotCompile(_) | Status::MissingFile(_) => "-".to_string(),
            // An untouched stub is judged without running its suite.
            Status::NotStarted if total == 0 => "-".to_string(),
            _ => format!("{:.1} s", r.verdict.elapsed.as_secs_f64()),
        };
        let reused = if r.reused {
            format!("  {}", paint(DIM, "reused"))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{:<2}  {:<6} {:<title_width$}  {} {:>6}  {:>10}{reused}",
            n + 1,
            r.exercise.id,
            r.exercise.title,
            paint(style, &format!("{status:<status_width$}")),
            tests,
            time
        );
    }
}

/// The full diagnosis of one exercise, and what to run.
fn diagnosis(out: &mut String, r: &Report, charset: grading_protocol::Charset) {
    let id = &r.exercise.id;
    match r.status() {
        Status::Solved => {}
        Status::NotStarted => {
            let _ = writeln!(
                out,
                "  Not started yet: read the sheet at the top of the file (or \
                 `cargo doc -p {id} --no-deps --open`) and replace the `todo!()`s."
            );
        }
        Status::Failing => first_failure(out, r, charset),
        Status::DoesNotCompile(error) => {
            let location = error
                .location
                .as_deref()
                .unwrap_or("(the compiler named no file)");
            let _ = writeln!(out, "  Does not compile: {location}: {}", error.message);
            for line in error.rendered.trim_end().lines().take(DIAGNOSIS_LINES) {
                let _ = writeln!(out, "    {line}");
            }
            if location.starts_with("tests/") || location.contains("/tests/") {
                let _ = writeln!(
                    out,
                    "  The graded suite no longer compiles against your file: keep the public \
                     signatures exactly as the stub has them."
                );
            }
        }
        Status::MissingFile(file) => {
            let _ = writeln!(
                out,
                "  {} is missing. `cargo run -- reset {id}` puts the untouched stub back \
                 (if you kept your own version, e.g. as lib.rs.bak, rename it back instead).",
                file.display()
            );
        }
        Status::TimedOut(Hang::Watchdog(limit)) => {
            let hung = r.verdict.failed();
            let _ = if hung == 1 {
                writeln!(
                    out,
                    "  Hung: 1 test was stopped by the grader's watchdog after {} of real time.",
                    secs_short(*limit)
                )
            } else {
                writeln!(
                    out,
                    "  Hung: {hung} tests were stopped by the grader's watchdog, after {} of real \
                     time each.",
                    secs_short(*limit)
                )
            };
            first_failure(out, r, charset);
        }
        Status::TimedOut(Hang::Killed(limit)) => {
            let _ = writeln!(
                out,
                "  Hung: the tests were still running after {} and were stopped. Most likely an \
                 infinite loop, or a deadlock (a lock or a channel waited on forever).",
                secs_short(*limit)
            );
            // The suite was killed before it printed any diagnosis: name what
            // had failed by then.
            let failed: Vec<&str> = r
                .verdict
                .tests
                .iter()
                .filter(|t| t.outcome == crate::engine::libtest::Outcome::Failed)
                .map(|t| t.name.as_str())
                .collect();
            if !failed.is_empty() {
                let _ = writeln!(out, "  Failed before it was stopped: {}", failed.join(", "));
            }
        }
        Status::Crashed(reason) => {
            let _ = writeln!(out, "  The test process crashed: {reason}.");
        }
    }
    let _ = writeln!(out, "  Run:  cargo test -p {id}");
    let _ = writeln!(out, "  Hint: cargo run -- hint {id}");
}

fn first_failure(out: &mut String, r: &Report, charset: grading_protocol::Charset) {
    if let Some(t) = r.verdict.first_failure() {
        let _ = writeln!(out, "  First failing test: {}", paint(BOLD, &t.name));
        for line in clean_message(&t.message).lines() {
            let _ = writeln!(out, "    {line}");
        }
        // What ran when, under the sentence (never instead of it).
        if let Some((observed, expected)) = &t.timelines {
            let _ = writeln!(out);
            out.push_str(&grading_protocol::timeline::render_pair(
                observed, expected, charset,
            ));
        }
    }
}

/// The grader's diagnosis, without harness noise; at most a dozen lines.
pub fn clean_message(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .filter(|l| !l.starts_with("test failed at ") && !l.starts_with("note: run with"))
        .filter(|l| !l.trim().is_empty())
        .take(DIAGNOSIS_LINES)
        .collect();
    lines.join("\n")
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
