//! Diagnoses reviewed as diffs: each catalogued mistake's whole
//! student-facing output (every failing test's message and picture, in the
//! order `cargo run` shows them) is kept in
//! `solutions/mistakes/snapshots/<mistake>.txt`, and `verify` fails the
//! mistake's row when the output differs, so a change of wording or of cause
//! shows up in review. `dev verify --accept-snapshots` writes them.
//!
//! A snapshot must be the same on every run and every machine, so it keeps
//! only what is deterministic:
//! - every duration in a message (`312 ms`, `3.0 s`, `1 hour`) is replaced
//!   by `<duration>`: a message cannot say whether its number came from
//!   tokio's paused clock (exact) or from the real clock (varies run to run,
//!   more so on a loaded machine), and the numbers that matter are checked
//!   by the suites themselves;
//! - a picture on tokio's paused clock is drawn in full (its times are
//!   exact); a picture on the real clock is named with its lanes only.
//!
//! What is left (the wording, the cause, the order, the counts a grader
//! forces) is what a reviewer wants to see change. `--repeat` compares every
//! run, so a snapshot that still varies is caught at once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use grading_protocol::{Charset, Clock, SuiteFacts};

use crate::engine::libtest::TestResult;
use crate::engine::verdict::{self, most_telling_first};
use crate::student::view::clean_message;

/// Where a mistake's snapshot lives, relative to the course root.
pub fn path(mistake_file: &Path) -> PathBuf {
    let stem = mistake_file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Path::new("solutions")
        .join("mistakes")
        .join("snapshots")
        .join(format!("{stem}.txt"))
}

/// The whole output a student sees for `results` (one run of the suite, with
/// the facts it recorded), failing tests most telling first, redacted.
pub fn render(results: &[TestResult], facts: &SuiteFacts, order: &[String]) -> String {
    let mut tests: Vec<TestResult> = results.to_vec();
    for t in &mut tests {
        if let Some(f) = facts.get(&t.name) {
            t.cause = f.cause;
            t.candidates = f.candidates.clone();
        }
    }
    verdict::sort_in_suite_order(&mut tests, order);
    let mut out = String::new();
    for t in most_telling_first(&tests) {
        let said = match (t.cause, t.candidates.as_slice()) {
            (Some(c), _) => format!("cause: {c}"),
            (None, []) => "no cause asserted".to_string(),
            (None, list) => {
                let ids: Vec<&str> = list.iter().map(|c| c.id()).collect();
                format!("candidates: {}", ids.join(", "))
            }
        };
        let _ = writeln!(out, "── {} ({said})", t.name);
        out.push_str(&redact(&course_paths(&clean_message(&t.message))));
        out.push('\n');
        let timelines = facts
            .get(&t.name)
            .and_then(|f| Some((f.observed.as_ref()?, f.expected.as_ref()?)));
        if let Some((observed, expected)) = timelines {
            out.push('\n');
            for picture in [observed, expected] {
                if picture.clock == Clock::Virtual {
                    out.push_str(&picture.render(Charset::Ascii));
                } else {
                    let lanes: Vec<&str> = picture.lanes.iter().map(|l| l.label.as_str()).collect();
                    let _ = writeln!(
                        out,
                        "{} (real clock: times vary, not kept): {} lane{}",
                        picture.title,
                        lanes.len(),
                        if lanes.len() == 1 { "" } else { "s" }
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Units a duration is written in, longest first.
const UNITS: [&str; 13] = [
    "minutes", "minute", "seconds", "second", "hours", "hour", "min", "ms", "µs", "us", "ns", "s",
    "h",
];

/// Replaces every duration (`312 ms`, `3.0 s`, `1.5s`, `2 hours`) with
/// `<duration>`, and every loopback port (`127.0.0.1:45225`) with `<port>`:
/// the grader's servers listen on a port the system picks.
pub fn redact(text: &str) -> String {
    redact_ports(&redact_durations(text))
}

fn redact_ports(text: &str) -> String {
    let mut out = text.to_string();
    for host in ["127.0.0.1:", "localhost:", "[::1]:"] {
        let mut done = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(host) {
            let after = &rest[at + host.len()..];
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            done.push_str(&rest[..at + host.len()]);
            if digits > 0 {
                done.push_str("<port>");
            }
            rest = &after[digits..];
        }
        done.push_str(rest);
        out = done;
    }
    out
}

fn redact_durations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        // A digit inside a word (`ex01`, `u64`) starts no number.
        let inside_word = rest[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let number_len = rest[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len() - start);
        let number = rest[start..start + number_len].trim_end_matches('.');
        let after = &rest[start + number.len()..];
        let spaced = after.strip_prefix(' ').unwrap_or(after);
        let unit = UNITS.iter().find(|u| {
            spaced.starts_with(*u)
                && !spaced[u.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
        });
        match unit {
            Some(unit) if !inside_word => {
                out.push_str(&rest[..start]);
                out.push_str("<duration>");
                rest = &spaced[unit.len()..];
            }
            _ => {
                out.push_str(&rest[..start + number.len()]);
                rest = &rest[start + number.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Paths as the student's course has them: `proof-2f80481f/exercises/…`
/// (the scratch copy `verify` works in, named after the machine's path) or
/// `/home/…/exercises/…` become `exercises/…`.
pub fn course_paths(text: &str) -> String {
    const MARK: &str = "exercises/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        // The start of the path: after the last space, quote or bracket.
        let start = rest[..at]
            .rfind(|c: char| c.is_whitespace() || "`'\"([{<".contains(c))
            .map_or(0, |i| {
                i + rest[i..].chars().next().map_or(1, char::len_utf8)
            });
        out.push_str(&rest[..start]);
        out.push_str(MARK);
        rest = &rest[at + MARK.len()..];
    }
    out.push_str(rest);
    out
}

/// The first line where `got` differs from `expected`, for a row's detail.
pub fn first_difference(expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let at = (0..e.len().max(g.len()))
        .find(|&i| e.get(i) != g.get(i))
        .unwrap_or(0);
    format!(
        "line {}:\n  kept: {}\n  now:  {}",
        at + 1,
        e.get(at).copied().unwrap_or("(nothing)"),
        g.get(at).copied().unwrap_or("(nothing)")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::libtest::Outcome;
    use grading_protocol::{Cause, TestFacts, Timeline};
    use std::time::Duration;

    #[test]
    fn durations_are_redacted_and_nothing_else() {
        assert_eq!(
            redact("took 312 ms (expected 3.0 s); 10000 sleeps, ex01, u64, 2 workers, 1.5s, 1 hour."),
            "took <duration> (expected <duration>); 10000 sleeps, ex01, u64, 2 workers, <duration>, <duration>."
        );
        assert_eq!(
            redact("after 250µs at 3 s."),
            "after <duration> at <duration>."
        );
        assert_eq!(redact("4 sleeps of 1 second"), "4 sleeps of <duration>");
        assert_eq!(
            redact("for url (http://127.0.0.1:45225/x) and localhost:80"),
            "for url (http://127.0.0.1:<port>/x) and localhost:<port>"
        );
        assert_eq!(redact("peak: 4 at once, 3 most"), "peak: 4 at once, 3 most");
    }

    #[test]
    fn paths_are_the_courses() {
        assert_eq!(
            course_paths(
                "your code panicked at proof-2f80481f/exercises/ex05-x/src/lib.rs:88\n\
                 see `/tmp/t/scratch/proof/proof-1/exercises/ex05-x/src/lib.rs` and exercises/a"
            ),
            "your code panicked at exercises/ex05-x/src/lib.rs:88\n\
             see `exercises/ex05-x/src/lib.rs` and exercises/a"
        );
    }

    #[test]
    fn the_output_is_in_the_order_a_student_reads_it() {
        let failed = |name: &str, message: &str| TestResult {
            name: name.into(),
            outcome: Outcome::Failed,
            message: message.into(),
            duration: None,
            timelines: None,
            cause: None,
            candidates: Vec::new(),
        };
        let results = vec![
            failed("b_candidates", "hung for 2.0 s\nTry: x"),
            failed(
                "a_observed",
                "returned after 4.0 s\ntest failed at tests/x.rs:1",
            ),
            failed("c_cause", "ran one after another: 6.0 s"),
        ];
        let s = Duration::from_secs;
        let mut facts = SuiteFacts::new();
        facts.insert(
            "c_cause".into(),
            TestFacts {
                cause: Some(Cause::Sequential),
                observed: Some(
                    Timeline::new("observed", Clock::Virtual).lane("total", &[(s(0), s(6))]),
                ),
                expected: Some(
                    Timeline::new("expected", Clock::Real).lane("total", &[(s(0), s(3))]),
                ),
                ..TestFacts::default()
            },
        );
        facts.insert(
            "b_candidates".into(),
            TestFacts {
                candidates: vec![Cause::BusyLoop, Cause::Sequential],
                ..TestFacts::default()
            },
        );
        let order = ["a_observed", "b_candidates", "c_cause"].map(String::from);
        let text = render(&results, &facts, &order);
        let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("──")).collect();
        assert_eq!(
            headings,
            [
                "── c_cause (cause: sequential)",
                "── b_candidates (candidates: busy-loop, sequential)",
                "── a_observed (no cause asserted)"
            ]
        );
        assert!(text.contains("ran one after another: <duration>"), "{text}");
        assert!(!text.contains("test failed at"), "{text}");
        assert!(
            text.contains("observed (tokio's clock):"),
            "virtual: drawn\n{text}"
        );
        assert!(
            text.contains("expected (real clock: times vary, not kept): 1 lane"),
            "{text}"
        );
        assert_eq!(render(&results, &facts, &order), text, "deterministic");
        assert!(first_difference("a\nb\n", "a\nc\n").starts_with("line 2:"));
    }
}
