//! Judging one candidate's suite runs against what the candidate promises:
//! the stub fails every test (and says "not started"), the reference passes
//! every test, a mistake fails the test it names with the message it names,
//! within the time a student would wait.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use grading_protocol::Cause;
use serde::{Deserialize, Serialize};

use crate::author::candidates::{Candidate, Expect};
use crate::author::diagnoses;
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
}

/// Runs a candidate's suite `runs` times; stops at the first run that does
/// not meet the expectation.
pub fn judge_runs(
    candidate: &Candidate,
    binary: &Path,
    dir: &Path,
    limit: Duration,
    runs: usize,
) -> Result<Judged> {
    let mut judged = Judged::default();
    let mut first_detail = None;
    for run_number in 1..=runs {
        let (mut ok, mut detail, results, output) = judge_run(candidate, binary, dir, limit)?;
        if let (true, Some(output)) = (ok, output) {
            match &judged.diagnoses {
                Some(first) if *first != output => {
                    ok = false;
                    detail = format!(
                        "the student-facing output differs from run 1's, so it cannot be kept \
                         as a snapshot (a value that varies must be redacted, see \
                         checker/src/author/diagnoses.rs): {}",
                        diagnoses::first_difference(first, &output)
                    );
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
        judged.detail = miss;
        return Ok(judged);
    }
    judged.ok = true;
    judged.detail = match (first_detail, runs) {
        (Some(d), 1) => d,
        (Some(d), n) => format!("{d} (each of {n} runs)"),
        (None, _) => String::new(),
    };
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
            "rejected, but its student-facing output has no snapshot: `dev verify \
             --accept-snapshots` writes {}; review it and commit it",
            file.display()
        )),
        Some(kept) if kept != output => Some(format!(
            "rejected, but its student-facing output differs from {} at {}\nReview the change; \
             if it is meant, `dev verify --accept-snapshots` writes the new output.",
            file.display(),
            diagnoses::first_difference(kept, output)
        )),
        Some(_) => None,
    }
}

/// One run of a candidate's suite: whether it met the expectation, the
/// detail, the tests' results when the suite ran to its end, and a
/// mistake's student-facing output (see `diagnoses`).
fn judge_run(candidate: &Candidate, binary: &Path, dir: &Path, limit: Duration) -> Result<OneRun> {
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
                 or explain its panics with `grading::student_panic_message` on the test's thread.",
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
            Some(_) if !every_failure_true(candidate, &results, &run.facts).is_empty() => (
                false,
                every_failure_true(candidate, &results, &run.facts).join("\n"),
            ),
            Some(_) if run.elapsed > MISTAKE_BUDGET => (
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
                    causes_told(&results, &run.facts)
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
             (the header's `// Observed` lines need one: `grading::picture`)"
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

/// What is untrue in any failing test's diagnosis of a mistake, judged
/// from the recorded facts: a cause other than the declared one, and (for a
/// mistake whose picture is checked, `// Observed ...:`) a peak the sentence
/// states that the picture does not show. Empty when all holds.
fn every_failure_true(
    candidate: &Candidate,
    results: &[TestResult],
    facts: &grading_protocol::SuiteFacts,
) -> Vec<String> {
    let no_facts = grading_protocol::TestFacts::default();
    let failing: Vec<(&TestResult, &grading_protocol::TestFacts)> = results
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .map(|r| (r, facts.get(&r.name).unwrap_or(&no_facts)))
        .collect();
    let declared = candidate.cause.clone().unwrap_or(None);
    let mut misses = cause_misses(declared, failing.iter().map(|(r, f)| (r.name.as_str(), *f)));
    if !candidate.shape.is_empty() {
        misses.extend(
            failing
                .iter()
                .filter_map(|(r, f)| peak_miss(&r.name, &r.message, f.observed.as_ref()?)),
        );
    }
    misses
}

/// What the failing tests' diagnoses assert, for the row: `causes:
/// sequential 1, candidates 1, none 2`.
fn causes_told(results: &[TestResult], facts: &grading_protocol::SuiteFacts) -> String {
    let mut asserted: std::collections::BTreeMap<&str, usize> = Default::default();
    let (mut candidates, mut none) = (0, 0);
    for r in results.iter().filter(|r| r.outcome == Outcome::Failed) {
        match facts.get(&r.name) {
            Some(f) if f.cause.is_some() => {
                *asserted.entry(f.cause.map_or("", Cause::id)).or_default() += 1;
            }
            Some(f) if !f.candidates.is_empty() => candidates += 1,
            _ => none += 1,
        }
    }
    let mut parts: Vec<String> = asserted.iter().map(|(id, n)| format!("{id} {n}")).collect();
    if candidates > 0 {
        parts.push(format!("candidates {candidates}"));
    }
    if none > 0 {
        parts.push(format!("none {none}"));
    }
    format!("causes: {}", parts.join(", "))
}

/// Checks every failing test's recorded cause against the mistake's
/// declared one (`// Cause:`): a test may assert the declared cause or none,
/// never another; a list of candidates must include the declared cause
/// (with `// Cause: none`, any list is fine, and no test may assert one).
pub fn cause_misses<'a>(
    declared: Option<Cause>,
    failing: impl IntoIterator<Item = (&'a str, &'a grading_protocol::TestFacts)>,
) -> Vec<String> {
    let header = declared.map_or("none", Cause::id);
    let mut misses = Vec::new();
    for (test, facts) in failing {
        match (facts.cause, declared) {
            (Some(asserted), _) if Some(asserted) != declared => misses.push(format!(
                "`{test}` asserts the cause `{asserted}`, but the mistake declares \
                 `// Cause: {header}`: a failing test may assert the declared cause or none, \
                 never another (fix the diagnosis, or the header if the mistake's cause is `{asserted}`)"
            )),
            (None, Some(declared))
                if !facts.candidates.is_empty() && !facts.candidates.contains(&declared) =>
            {
                let listed: Vec<&str> = facts.candidates.iter().map(|c| c.id()).collect();
                misses.push(format!(
                    "`{test}` lists the likely causes `{}`, but not the mistake's declared \
                     `// Cause: {header}`: a list of candidates must include the true cause",
                    listed.join(", ")
                ));
            }
            _ => {}
        }
    }
    misses
}

/// A peak the sentence states ("up to N … at the same time", "at most N …
/// at once", "never more than N … at once", "peak: N") that differs from
/// the picture's [`Timeline::peak`]. Only the observation is read, not the
/// advice after `Try:` (which may name a limit to aim for).
///
/// [`Timeline::peak`]: grading_protocol::Timeline::peak
pub fn peak_miss(
    test: &str,
    message: &str,
    observed: &grading_protocol::Timeline,
) -> Option<String> {
    let peak = observed.peak();
    let (phrase, _) = stated_peaks(message)
        .into_iter()
        .find(|(_, n)| *n != peak)?;
    Some(format!(
        "`{test}` says \"{phrase}\", but its picture shows at most {peak} busy at once: the \
         sentence and the picture must agree (both from the same measured spans)"
    ))
}

/// The peaks a diagnosis states, with the phrase stating each.
pub fn stated_peaks(message: &str) -> Vec<(String, usize)> {
    const QUALIFIERS: [&str; 4] = ["up to ", "at most ", "never more than ", "peak: "];
    /// How far after the number "at once" may come, in the same sentence.
    const WINDOW: usize = 80;
    let observation = message.split("Try:").next().unwrap_or_default();
    // ASCII lowercase keeps every byte offset valid in `observation`.
    let lower = observation.to_ascii_lowercase();
    let mut found = Vec::new();
    for q in QUALIFIERS {
        for (at, _) in lower.match_indices(q) {
            let rest = &lower[at + q.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let Ok(n) = digits.parse::<usize>() else {
                continue;
            };
            let after = &rest[digits.len()..];
            let clause_end = after
                .find(['\n', ';'])
                .into_iter()
                .chain(after.find(". "))
                .min()
                .unwrap_or(after.len());
            let mut end = clause_end.min(WINDOW);
            while !after.is_char_boundary(end) {
                end -= 1;
            }
            let clause = &after[..end];
            let says = ["at once", "at the same time"]
                .iter()
                .filter_map(|w| clause.find(w).map(|i| i + w.len()))
                .min();
            if let Some(len) = says {
                let start = at;
                let stop = at + q.len() + digits.len() + len;
                found.push((at, observation[start..stop].to_string(), n));
            } else if q == "peak: " {
                found.push((
                    at,
                    observation[at..at + q.len() + digits.len()].to_string(),
                    n,
                ));
            }
        }
    }
    // In the order the sentence states them.
    found.sort_by_key(|(at, _, _)| *at);
    found
        .into_iter()
        .map(|(_, phrase, n)| (phrase, n))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use grading_protocol::{Clock, TestFacts, Timeline};
    use std::time::Duration;

    fn asserting(cause: Option<Cause>, candidates: &[Cause]) -> TestFacts {
        TestFacts {
            cause,
            candidates: candidates.to_vec(),
            ..TestFacts::default()
        }
    }

    #[test]
    fn every_failing_test_asserts_the_declared_cause_or_none() {
        let sequential = asserting(Some(Cause::Sequential), &[]);
        let neutral = asserting(None, &[]);
        let hang = asserting(None, &[Cause::ChannelNeverClosed, Cause::NeverJoined]);
        let with_it = asserting(None, &[Cause::BusyLoop, Cause::Sequential]);
        // ex01's sequential mistake: one test proves it, the others say what
        // they saw or list candidates that include it.
        let holds = [
            ("uneven_sleeps", &sequential),
            ("names_in_order", &neutral),
            ("ten_thousand", &with_it),
        ];
        assert!(cause_misses(Some(Cause::Sequential), holds).is_empty());

        // A deliberately wrong header: the same facts, declared `blocking-in-async`.
        let wrong = cause_misses(Some(Cause::BlockingInAsync), holds);
        assert_eq!(wrong.len(), 2, "{wrong:#?}");
        assert_eq!(
            wrong[0],
            "`uneven_sleeps` asserts the cause `sequential`, but the mistake declares \
             `// Cause: blocking-in-async`: a failing test may assert the declared cause or \
             none, never another (fix the diagnosis, or the header if the mistake's cause is \
             `sequential`)"
        );
        assert_eq!(
            wrong[1],
            "`ten_thousand` lists the likely causes `busy-loop, sequential`, but not the \
             mistake's declared `// Cause: blocking-in-async`: a list of candidates must \
             include the true cause"
        );

        // A hang diagnosed with candidates that leave out the true cause.
        let misses = cause_misses(Some(Cause::Sequential), [("ten_thousand", &hang)]);
        assert_eq!(misses.len(), 1);
        assert!(
            misses[0].contains("`channel-never-closed, never-joined`"),
            "{}",
            misses[0]
        );

        // `// Cause: none`: no test may assert one; candidate lists are fine.
        assert!(cause_misses(None, [("a", &neutral), ("b", &hang)]).is_empty());
        let none = cause_misses(None, [("a", &sequential)]);
        assert_eq!(none.len(), 1);
        assert!(none[0].contains("declares `// Cause: none`"), "{}", none[0]);
    }

    #[test]
    fn a_peak_in_words_is_the_pictures_peak() {
        assert_eq!(
            stated_peaks(
                "7 different threads read the 8 files (up to 4 at the same time), but with \
                 workers = 2 at most 2 may run at once.\nTry: up to 9 at once"
            ),
            [
                ("up to 4 at the same time".to_string(), 4),
                ("at most 2 may run at once".to_string(), 2)
            ]
        );
        assert_eq!(
            stated_peaks("at most 3 of the 8 threads of run(8, 2) ran at the same time"),
            [(
                "at most 3 of the 8 threads of run(8, 2) ran at the same time".to_string(),
                3
            )]
        );
        assert_eq!(
            stated_peaks("never more than 1 at once; peak: 483 at once"),
            [
                ("never more than 1 at once".to_string(), 1),
                ("peak: 483 at once".to_string(), 483)
            ]
        );
        // Numbers that are not a peak: limits, counts, an unrelated "at most".
        assert!(stated_peaks("workers = 4 and 6 files allow 4 at the same time").is_empty());
        assert!(stated_peaks("took at most 3 s. Then at once it returned").is_empty());

        let s = Duration::from_secs;
        // Four reads overlap in the picture.
        let four = Timeline::new("observed", Clock::Real)
            .lane("a", &[(s(0), s(2))])
            .lane("b", &[(s(0), s(2))])
            .lane("c", &[(s(1), s(3))])
            .lane("d", &[(s(1), s(3))]);
        assert_eq!(four.peak(), 4);
        assert_eq!(
            peak_miss("t", "read the files (up to 4 at the same time)", &four),
            None
        );
        let miss = peak_miss("t", "read the files (up to 2 at the same time)", &four).unwrap();
        assert_eq!(
            miss,
            "`t` says \"up to 2 at the same time\", but its picture shows at most 4 busy at \
             once: the sentence and the picture must agree (both from the same measured spans)"
        );
        // An op dropped by its timeout, end unseen: not running, so not counted.
        let one = Timeline::new("observed", Clock::Virtual)
            .lane("op 0", &[(s(0), s(1))])
            .lane_partly_seen("op 1", &[(s(1), None)], s(4));
        assert!(peak_miss("t", "peak: 2 at once", &one).is_some());
        assert_eq!(peak_miss("t", "never more than 1 at once", &one), None);
    }
}
