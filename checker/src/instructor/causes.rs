//! The class's common mistakes grouped by cause: the failures whose
//! diagnosis asserted a cause (a fact in the reports, version 3) counted
//! per cause, with the tests that asserted it. Failures that assert none
//! stay listed by test (`class::CommonFailure`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::instructor::html::escape;
use crate::instructor::report::model::{CourseReport, ExerciseStatus, TestStatus};

/// At most this many causes are listed.
const LISTED: usize = 10;

#[derive(Debug, Serialize)]
pub struct CauseGroup {
    /// The cause's id (`grading_protocol::Cause`).
    pub cause: String,
    /// Its one-line definition, when this checker knows the id.
    pub definition: Option<String>,
    /// Students with at least one failure asserting it.
    pub students: usize,
    /// The tests that asserted it, most students first.
    pub tests: Vec<CauseTest>,
}

#[derive(Debug, Serialize)]
pub struct CauseTest {
    pub exercise: String,
    pub test: String,
    pub students: usize,
}

/// Groups the failing tests of `reports` (student name, report) by the
/// cause their diagnosis asserted. Not-started exercises are left out (every
/// test fails at a `todo!()`, no mistake there).
pub fn group<'a>(
    reports: impl IntoIterator<Item = (&'a str, &'a CourseReport)>,
) -> Vec<CauseGroup> {
    // cause -> (students, (exercise, test) -> students)
    type Tests = BTreeMap<(String, String), BTreeSet<String>>;
    let mut by_cause: BTreeMap<String, (BTreeSet<String>, Tests)> = BTreeMap::new();
    for (student, report) in reports {
        for e in report
            .exercises
            .iter()
            .filter(|e| e.status != ExerciseStatus::NotStarted)
        {
            for t in e.tests.iter().filter(|t| t.status == TestStatus::Failed) {
                let Some(cause) = t.cause.as_deref() else {
                    continue;
                };
                let entry = by_cause.entry(clean(cause)).or_default();
                entry.0.insert(student.to_string());
                entry
                    .1
                    .entry((clean(&e.id), clean(&t.name)))
                    .or_default()
                    .insert(student.to_string());
            }
        }
    }
    let mut groups: Vec<CauseGroup> = by_cause
        .into_iter()
        .map(|(cause, (students, tests))| {
            let mut tests: Vec<CauseTest> = tests
                .into_iter()
                .map(|((exercise, test), students)| CauseTest {
                    exercise,
                    test,
                    students: students.len(),
                })
                .collect();
            // Most students first; then by exercise and test (a stable order).
            tests.sort_by_key(|t| std::cmp::Reverse(t.students));
            CauseGroup {
                definition: grading_protocol::Cause::from_id(&cause)
                    .map(|c| c.definition().to_string()),
                cause,
                students: students.len(),
                tests,
            }
        })
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.students));
    groups.truncate(LISTED);
    groups
}

/// Control characters (terminal escapes) never reach the output.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// `ex01 uneven_sleeps_take_the_longest_delay (10), ex04 ... (3)`.
fn tests_line(g: &CauseGroup) -> String {
    let list: Vec<String> = g
        .tests
        .iter()
        .map(|t| format!("{} {} ({})", t.exercise, t.test, t.students))
        .collect();
    list.join(", ")
}

fn students(n: usize) -> String {
    format!("{n} student{}", if n == 1 { "" } else { "s" })
}

/// For the terminal.
pub fn text(groups: &[CauseGroup]) -> String {
    let mut out = String::new();
    for g in groups {
        let _ = writeln!(
            out,
            "  cause: {} — {} ({})",
            g.cause,
            students(g.students),
            tests_line(g)
        );
        if let Some(d) = &g.definition {
            let _ = writeln!(out, "         {d}");
        }
    }
    out
}

/// A markdown table (nothing when no failure asserted a cause).
pub fn markdown(groups: &[CauseGroup]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let esc = |t: &str| t.replace('|', "\\|");
    let mut out = String::from(
        "\n### Causes found most often\n\n| Cause | Students | Tests |\n|---|---:|---|\n",
    );
    for g in groups {
        let tests: Vec<String> = g
            .tests
            .iter()
            .map(|t| format!("{} `{}` ({})", esc(&t.exercise), esc(&t.test), t.students))
            .collect();
        let _ = writeln!(
            out,
            "| `{}`{} | {} | {} |",
            esc(&g.cause),
            g.definition
                .as_deref()
                .map_or(String::new(), |d| format!(": {}", esc(d))),
            g.students,
            tests.join(", ")
        );
    }
    out
}

/// An HTML section (nothing when no failure asserted a cause).
pub fn html(groups: &[CauseGroup]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section>\n<h2>Causes found most often</h2>\n<table>\n<caption>Failures whose diagnosis \
         proved a cause, by cause: how many students, and which tests proved it.</caption>\n\
         <thead><tr><th scope=\"col\">Cause</th><th scope=\"col\" class=\"num\">Students</th>\
         <th scope=\"col\">Tests</th></tr></thead>\n<tbody>\n",
    );
    for g in groups {
        let tests: Vec<String> = g
            .tests
            .iter()
            .map(|t| {
                format!(
                    "{} <code>{}</code> ({})",
                    escape(&t.exercise),
                    escape(&t.test),
                    t.students
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&g.cause),
            g.definition.as_deref().map_or(String::new(), |d| format!(
                "<br><small>{}</small>",
                escape(d)
            )),
            g.students,
            tests.join(", ")
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report whose ex01 fails `tests` (name, cause).
    fn report(tests: &[(&str, Option<&str>)]) -> CourseReport {
        let test = |(name, cause): &(&str, Option<&str>)| {
            serde_json::json!({
                "name": name, "status": "failed", "message": "m", "duration_secs": null,
                "observed": null, "expected": null,
                "cause": cause, "candidates": []
            })
        };
        serde_json::from_value(serde_json::json!({
            "schema": "concurrency-course-report", "schema_version": 3,
            "checker_version": "0", "generated_at": "2026-12-07T00:00:00Z",
            "commit": null, "student": null, "points": {"earned": 0, "possible": 10},
            "exercises": [{
                "id": "ex01", "title": "t", "status": "failing", "detail": null,
                "points": {"earned": 0, "possible": 10}, "duration_secs": 1.0,
                "tests": tests.iter().map(test).collect::<Vec<_>>()
            }]
        }))
        .unwrap()
    }

    #[test]
    fn failures_are_grouped_by_the_cause_they_assert() {
        let ada = report(&[
            ("uneven", Some("sequential")),
            ("ten_thousand", Some("sequential")),
        ]);
        let bob = report(&[("uneven", Some("sequential")), ("order", None)]);
        let cy = report(&[("order", Some("wrong-order"))]);
        let groups = group([("ada", &ada), ("bob", &bob), ("cy", &cy)]);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            (groups[0].cause.as_str(), groups[0].students),
            ("sequential", 2),
            "students counted once per cause"
        );
        assert_eq!(groups[1].cause, "wrong-order");
        let text = text(&groups);
        assert!(
            text.contains(
                "cause: sequential — 2 students (ex01 uneven (2), ex01 ten_thousand (1))"
            ),
            "{text}"
        );
        assert!(text.contains("one after another"), "the definition: {text}");
        assert!(markdown(&groups).contains("| `wrong-order`"));
        assert!(html(&groups).contains("<code>sequential</code>"));
        assert!(group([("ada", &report(&[("order", None)]))]).is_empty());
    }
}
