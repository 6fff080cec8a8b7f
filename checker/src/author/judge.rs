//! Judging one candidate's suite runs against what the candidate promises:
//! the stub fails every test (and says "not started"), the reference passes
//! every test, a mistake fails the test it names with the message it names,
//! within the time a student would wait.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::author::candidates::{Candidate, Expect};
use crate::author::{claims, diagnoses};
use crate::engine::libtest::{Outcome, TestResult};
use crate::engine::suite_run;
use crate::engine::verdict::{self, Hang, Status};

/// Wall time within which a catalogued mistake's suite must have failed.
pub const MISTAKE_BUDGET: Duration = Duration::from_secs(30);

/// What a candidate's runs showed; stored for reuse when the check held.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Judged {
    pub ok: bool,
    pub detail: String,
    /// Tests that failed in some run.
    pub failed: Vec<String>,
    /// Every test of the suite, when it ran to its end.
    pub all: Vec<String>,
    /// A mistake's student-facing output, redacted (see `diagnoses`).
    #[serde(default)]
    pub diagnoses: Option<String>,
    /// How that output drifted from its snapshot (or between runs). Shown
    /// for review, not failed: some outputs still hold values that vary from
    /// run to run (a completion order, a count of a race), and the verdict
    /// and every test's cause are judged on their own.
    #[serde(default)]
    pub drift: Option<String>,
}

/// Runs a candidate's suite `runs` times; stops at the first run that does
/// not meet the expectation.
pub fn judge_runs(
    candidate: &Candidate,
    binary: &Path,
    dir: &Path,
    limit: Duration,
    runs: usize,
    budget: Option<Duration>,
) -> Result<Judged> {
    let mut judged = Judged::default();
    let mut first_detail = None;
    for run_number in 1..=runs {
        let (ok, detail, results, output) = judge_run(candidate, binary, dir, limit, budget)?;
        if let (true, Some(output)) = (ok, output) {
            match &judged.diagnoses {
                Some(first) if *first != output && judged.drift.is_none() => {
                    judged.drift = Some(format!(
                        "its student-facing output differs from run 1's (a value that varies \
                         is not redacted, see checker/src/author/diagnoses.rs): {}",
                        diagnoses::first_difference(first, &output)
                    ));
                }
                Some(_) => {}
                None => judged.diagnoses = Some(output),
            }
        }
        if let Some(results) = &results {
            judged.all = results.iter().map(|r| r.name.clone()).collect();
            for r in results.iter().filter(|r| r.outcome == Outcome::Failed) {
                if !judged.failed.contains(&r.name) {
                    judged.failed.push(r.name.clone());
                }
            }
        }
        if !ok {
            judged.ok = false;
            judged.detail = if runs > 1 {
                format!("run {run_number} of {runs}: {detail}")
            } else {
                detail
            };
            return Ok(judged);
        }
        first_detail.get_or_insert(detail);
    }
    if let Some(miss) = snapshot_miss(candidate, judged.diagnoses.as_deref()) {
        judged.drift = Some(miss);
    }
    judged.ok = true;
    judged.detail = match (first_detail, runs) {
        (Some(d), 1) => d,
        (Some(d), n) => format!("{d} (each of {n} runs)"),
        (None, _) => String::new(),
    };
    if let Some(drift) = &judged.drift {
        judged.detail = format!("{}\n  SNAPSHOT DRIFT (review): {drift}", judged.detail);
    }
    Ok(judged)
}

/// One run judged: whether it met the expectation, the detail, the tests'
/// results (when the suite ran to its end) and a mistake's output.
type OneRun = (bool, String, Option<Vec<TestResult>>, Option<String>);

/// How a mistake's output differs from its kept snapshot, if it does.
fn snapshot_miss(candidate: &Candidate, output: Option<&str>) -> Option<String> {
    let snapshot = candidate.snapshot.as_ref()?;
    let output = output?;
    if snapshot.accept {
        return None;
    }
    let file = diagnoses::path(&candidate.file);
    match &snapshot.kept {
        None => Some(format!(
            "its student-facing output has no snapshot: `dev verify --accept-snapshots` \
             writes {}; review it and commit it",
            file.display()
        )),
        Some(kept) if kept != output => Some(format!(
            "its student-facing output differs from {} at {}\nReview the change; if it is \
             meant, `dev verify --accept-snapshots` writes the new output.",
            file.display(),
            diagnoses::first_difference(kept, output)
        )),
        Some(_) => None,
    }
}

/// One run of a candidate's suite: whether it met the expectation, the
/// detail, the tests' results when the suite ran to its end, and a
/// mistake's student-facing output (see `diagnoses`).
/// `budget`: the wall time within which a mistake must be rejected (none
/// under load, see `verify::Options::at_rest`).
fn judge_run(
    candidate: &Candidate,
    binary: &Path,
    dir: &Path,
    limit: Duration,
    budget: Option<Duration>,
) -> Result<OneRun> {
    let run = suite_run::run_suite(binary, dir, limit)?;
    let secs = run.elapsed.as_secs_f64();
    let results = match verdict::finished_tests(&run) {
        Ok(results) => results,
        Err(Status::TimedOut(Hang::Killed(after) | Hang::Watchdog(after))) => {
            return Ok((
                false,
                format!(
                    "the suite was still running after {} s and was killed: a test lacks a watchdog",
                    after.as_secs()
                ),
                None,
                None,
            ));
        }
        Err(status) => {
            let reason = match status {
                Status::Crashed(reason) => reason,
                other => format!("{other:?}"),
            };
            return Ok((
                false,
                format!(
                    "the suite crashed before reporting every test: {reason}\n{}",
                    first_lines(&run.stderr, 4)
                ),
                None,
                None,
            ));
        }
    };
    let total = results.len();
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let (passed, failed) = (count(Outcome::Passed), count(Outcome::Failed));
    let not_started = |r: &TestResult| run.facts.get(&r.name).is_some_and(|f| f.not_started);
    let (ok, detail) = match &candidate.expect {
        Expect::AllFail if failed < total => (
            false,
            format!(
                "{} of {total} tests do not fail on the untouched stub, so they test nothing: {}",
                total - failed,
                names(&results, |r| r.outcome != Outcome::Failed)
            ),
        ),
        Expect::AllFail if !results.iter().all(not_started) => (
            false,
            format!(
                "every test fails, but {} do not record that the student's code reached a \
                 `todo!()`, so the checker would say \"failing\" instead of \"not started\": {}. \
                 Call the student's code through `grading::within`, `paused` or `real_clock`, \
                 or record its panics with `grading::record_student_panic` on the test's thread.",
                results.iter().filter(|r| !not_started(r)).count(),
                names(&results, |r| !not_started(r))
            ),
        ),
        Expect::AllFail => (
            true,
            format!("{failed}/{total} fail, not started ({secs:.1} s)"),
        ),
        Expect::AllPass if passed == total => {
            (true, format!("{passed}/{total} pass ({secs:.1} s)"))
        }
        Expect::AllPass => (
            false,
            format!(
                "{} of {total} tests do not pass: {}\n{}",
                total - passed,
                names(&results, |r| r.outcome != Outcome::Passed),
                results
                    .iter()
                    .find(|r| r.outcome == Outcome::Failed)
                    .map(|r| first_lines(&r.message, 6))
                    .unwrap_or_default()
            ),
        ),
        Expect::Rejects { test, message } => match results.iter().find(|r| &r.name == test) {
            None => (
                false,
                format!(
                    "{} names the test `{test}`, which the suite does not have (its tests: {})",
                    candidate.file.display(),
                    names(&results, |_| true)
                ),
            ),
            Some(r) if r.outcome != Outcome::Failed => {
                (false, format!("`{test}` does not fail on this mistake"))
            }
            Some(r) if !r.message.contains(message.as_str()) => (
                false,
                format!(
                    "`{test}` fails, but its message does not contain \"{message}\":\n{}",
                    first_lines(&r.message, 6)
                ),
            ),
            Some(r) if shape_miss(candidate, run.facts.get(&r.name)).is_some() => (
                false,
                shape_miss(candidate, run.facts.get(&r.name)).unwrap_or_default(),
            ),
            Some(_) if !claims::every_failure_true(candidate, &results, &run.facts).is_empty() => (
                false,
                claims::every_failure_true(candidate, &results, &run.facts).join("\n"),
            ),
            Some(_) if budget.is_some_and(|b| run.elapsed > b) => (
                false,
                format!(
                    "rejected, but only after {secs:.1} s: a student waits at most {} s for a \
                     verdict, so a watchdog or a wait in the suite is too long",
                    MISTAKE_BUDGET.as_secs()
                ),
            ),
            Some(_) => (
                true,
                format!(
                    "rejected, {failed}/{total} fail ({secs:.1} s); {}",
                    claims::causes_told(&results, &run.facts)
                ),
            ),
        },
    };
    let output = candidate
        .snapshot
        .as_ref()
        .map(|s| diagnoses::render(&results, &run.facts, &s.order));
    Ok((ok, detail, Some(results), output))
}

/// What is wrong with the timeline the rejecting test recorded, against the
/// mistake's `// Observed ...:` lines; `None` when it shows all of them.
fn shape_miss(
    candidate: &Candidate,
    facts: Option<&grading_protocol::TestFacts>,
) -> Option<String> {
    if candidate.shape.is_empty() {
        return None;
    }
    let Some(observed) = facts.and_then(|f| f.observed.as_ref()) else {
        return Some(
            "the test fails as it should, but recorded no timeline of how the work ran \
             (the header's `// Observed` lines need one: a diagnosis's `.picture` or `grading::record_picture`)"
                .into(),
        );
    };
    let misses: Vec<String> = candidate
        .shape
        .iter()
        .filter_map(|s| s.check(observed).err())
        .collect();
    (!misses.is_empty()).then(|| {
        format!(
            "the test fails as it should, but its timeline does not show what the header \
             says: {}\n{}",
            misses.join("; "),
            grading_protocol::timeline::Timeline::render(
                observed,
                grading_protocol::Charset::Ascii
            )
        )
    })
}

fn names(results: &[TestResult], keep: impl Fn(&TestResult) -> bool) -> String {
    let list: Vec<&str> = results
        .iter()
        .filter(|r| keep(r))
        .map(|r| r.name.as_str())
        .collect();
    list.join(", ")
}

pub fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.trim().lines().take(n).collect();
    lines.join("\n")
}

pub fn expectation(expect: &Expect) -> String {
    match expect {
        Expect::AllFail => "every test fails, not started".to_string(),
        Expect::AllPass => "every test passes".to_string(),
        Expect::Rejects { test, .. } => format!("{test} fails"),
    }
}
