//! What a suite run means for the student: a [`Status`], decided from the
//! tests' outcomes and the facts the graders recorded, never from the
//! wording of a message; and the tests in the order the suite declares them,
//! so the first failure a student sees is the same every run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use grading_protocol::SuiteFacts;
use serde::{Deserialize, Serialize};

use crate::engine::cargo_build::CompileError;
use crate::engine::libtest::{self, Outcome, TestResult};
use crate::engine::manifest::Exercise;
use crate::engine::suite_run::{Ending, Run};

/// Where an exercise stands. Each is distinct and exact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Status {
    Solved,
    /// Untouched: every test stops at a `todo!()`.
    NotStarted,
    Failing,
    DoesNotCompile(CompileError),
    /// The student's file is gone (deleted, or renamed away).
    MissingFile(PathBuf),
    TimedOut(Hang),
    Crashed(String),
}

/// A suite that did not finish in time, and who stopped it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hang {
    /// Every failing test was stopped by its grader's watchdog after at most
    /// this long (the suite itself ended).
    Watchdog(Duration),
    /// The checker killed the whole suite at this limit.
    Killed(Duration),
}

impl Hang {
    pub fn limit(self) -> Duration {
        match self {
            Hang::Watchdog(d) | Hang::Killed(d) => d,
        }
    }
}

impl Status {
    pub fn is_solved(&self) -> bool {
        matches!(self, Status::Solved)
    }
}

/// A suite's verdict: what the checker shows and caches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub status: Status,
    /// In the suite's own order (see [`suite_order`]).
    pub tests: Vec<TestResult>,
    /// Wall time of the whole suite run.
    pub elapsed: Duration,
}

impl Verdict {
    pub fn of_status(status: Status) -> Verdict {
        Verdict {
            status,
            tests: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    pub fn passed(&self) -> usize {
        self.count(Outcome::Passed)
    }

    pub fn failed(&self) -> usize {
        self.count(Outcome::Failed)
    }

    fn count(&self, outcome: Outcome) -> usize {
        self.tests.iter().filter(|t| t.outcome == outcome).count()
    }

    /// The failing test the student reads first (see [`most_telling_first`]).
    pub fn first_failure(&self) -> Option<&TestResult> {
        first_failure(&self.tests)
    }
}

/// How much a failing test's diagnosis tells: one that asserts a cause
/// tells most, then one that lists candidates, then one that asserts none
/// (it says only what was observed). Decided from the recorded facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Telling {
    Cause,
    Candidates,
    Observed,
}

/// A test result as the student view or a report holds it.
pub trait Diagnosed {
    fn failed(&self) -> bool;
    fn telling(&self) -> Telling;
}

impl Diagnosed for TestResult {
    fn failed(&self) -> bool {
        self.outcome == Outcome::Failed
    }

    fn telling(&self) -> Telling {
        telling(self.cause.is_some(), !self.candidates.is_empty())
    }
}

pub fn telling(asserts_cause: bool, lists_candidates: bool) -> Telling {
    match (asserts_cause, lists_candidates) {
        (true, _) => Telling::Cause,
        (false, true) => Telling::Candidates,
        (false, false) => Telling::Observed,
    }
}

/// The failing tests in the order a student should read them: those whose
/// diagnosis asserts a cause, then those listing candidates, then those
/// asserting none; each group in the order `tests` has (the suite's own
/// order, see [`sort_in_suite_order`]). `cargo run`, `watch` and every
/// report take the first failure from here.
/// The failing test a student reads first, from [`most_telling_first`].
pub fn first_failure<T: Diagnosed>(tests: &[T]) -> Option<&T> {
    most_telling_first(tests).into_iter().next()
}

pub fn most_telling_first<T: Diagnosed>(tests: &[T]) -> Vec<&T> {
    let mut failing: Vec<&T> = tests.iter().filter(|t| t.failed()).collect();
    // A stable sort keeps the suite's order within each group.
    failing.sort_by_key(|t| t.telling());
    failing
}

/// The tests of a suite run that ran to its end, or why it did not: killed
/// at its limit, or crashed before reporting (a signal, an abort, no test).
/// The student view, `verify` and `soak` all judge runs through this.
pub fn finished_tests(run: &Run) -> Result<Vec<TestResult>, Status> {
    match run.ending {
        Ending::TimedOut(limit) => Err(Status::TimedOut(Hang::Killed(limit))),
        Ending::Exited(status) if !run.stdout.contains("test result:") => {
            Err(Status::Crashed(crash_reason(status, &run.stderr)))
        }
        Ending::Exited(_) => {
            let tests = libtest::parse(&run.stdout);
            if tests.is_empty() {
                Err(Status::Crashed(
                    "the graded suite reported no test at all".into(),
                ))
            } else {
                Ok(tests)
            }
        }
    }
}

/// Turns one suite run into a verdict; `order` is the suite's own order of
/// its tests (see [`suite_order`]).
pub fn classify(run: &Run, order: &[String]) -> Verdict {
    let (status, mut tests) = match finished_tests(run) {
        Err(status) => (status, libtest::parse(&run.stdout)),
        Ok(tests) => (status_of(&tests, &run.facts), tests),
    };
    for t in &mut tests {
        let facts = run.facts.get(&t.name);
        t.duration = facts.and_then(|f| f.student_time);
        t.timelines = facts.and_then(|f| match (&f.observed, &f.expected) {
            (Some(o), Some(e)) => Some((o.clone(), e.clone())),
            _ => None,
        });
        t.cause = facts.and_then(|f| f.cause);
        t.candidates = facts.map(|f| f.candidates.clone()).unwrap_or_default();
    }
    sort_in_suite_order(&mut tests, order);
    Verdict {
        status,
        tests,
        elapsed: run.elapsed,
    }
}

/// The status of a suite that ran to its end, from the outcomes and the
/// facts the graders recorded (never from the wording of a message).
pub fn status_of(tests: &[TestResult], facts: &SuiteFacts) -> Status {
    let failed: Vec<&TestResult> = tests
        .iter()
        .filter(|t| t.outcome == Outcome::Failed)
        .collect();
    let passed = tests
        .iter()
        .filter(|t| t.outcome == Outcome::Passed)
        .count();
    let fact = |t: &TestResult| facts.get(&t.name).cloned().unwrap_or_default();
    let stopped: Vec<Duration> = failed
        .iter()
        .filter_map(|t| fact(t).watchdog_stopped)
        .collect();
    if failed.is_empty() {
        Status::Solved
    } else if passed == 0 && failed.iter().all(|t| fact(t).not_started) {
        Status::NotStarted
    } else if stopped.len() == failed.len() {
        // Every failure is a hang the grader's watchdog stopped.
        Status::TimedOut(Hang::Watchdog(
            stopped.into_iter().max().unwrap_or_default(),
        ))
    } else {
        Status::Failing
    }
}

/// Orders `tests` as `order` lists them; tests it does not list come last,
/// by name. libtest reports tests in the order they *finish*, which changes
/// from run to run when several fail.
pub fn sort_in_suite_order(tests: &mut [TestResult], order: &[String]) {
    let rank = |name: &str| {
        let short = name.rsplit("::").next().unwrap_or(name);
        order
            .iter()
            .position(|o| o == name || o == short)
            .unwrap_or(usize::MAX)
    };
    tests.sort_by(|a, b| {
        rank(&a.name)
            .cmp(&rank(&b.name))
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// The names of a suite's test functions in the order they are written:
/// each `#[test]` (or `#[tokio::test]`) attribute, then the `fn` it is on.
/// `main.rs` (or the single suite file) comes first, then its modules.
pub fn suite_order(root: &Path, exercise: &Exercise) -> Vec<String> {
    let mut names = Vec::new();
    for file in exercise.suite_files(root) {
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        names.extend(test_functions(&text));
    }
    names
}

/// The test functions of one file, in order.
pub fn test_functions(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending = false;
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with("#[test]") || line.starts_with("#[tokio::test") {
            pending = true;
            continue;
        }
        if !pending || line.starts_with("#[") || line.starts_with("//") {
            continue;
        }
        pending = false;
        let Some(at) = line.find("fn ") else { continue };
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            names.push(name);
        }
    }
    names
}

fn crash_reason(status: std::process::ExitStatus, stderr: &str) -> String {
    if stderr.contains("has overflowed its stack") {
        return "stack overflow (unbounded recursion?)".into();
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => "SIGABRT: the process aborted",
                9 => "SIGKILL: killed, perhaps for using too much memory",
                11 => "SIGSEGV: invalid memory access",
                _ => "killed by a signal",
            };
            return format!("{name} (signal {signal})");
        }
    }
    format!("the test process ended early ({status})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use grading_protocol::TestFacts;

    fn result(name: &str, outcome: Outcome) -> TestResult {
        TestResult {
            name: name.into(),
            outcome,
            message: String::new(),
            duration: None,
            timelines: None,
            cause: None,
            candidates: Vec::new(),
        }
    }

    fn facts(entries: &[(&str, TestFacts)]) -> SuiteFacts {
        entries
            .iter()
            .map(|(n, f)| (n.to_string(), f.clone()))
            .collect()
    }

    #[test]
    fn statuses_come_from_outcomes_and_facts() {
        let todo = TestFacts {
            not_started: true,
            ..TestFacts::default()
        };
        let hung = TestFacts {
            watchdog_stopped: Some(Duration::from_millis(750)),
            ..TestFacts::default()
        };
        let pass = result("a", Outcome::Passed);
        let fail = result("b", Outcome::Failed);
        let fail_c = result("c", Outcome::Failed);
        assert_eq!(
            status_of(std::slice::from_ref(&pass), &SuiteFacts::new()),
            Status::Solved
        );
        assert_eq!(
            status_of(
                &[fail.clone(), fail_c.clone()],
                &facts(&[("b", todo.clone()), ("c", todo.clone())])
            ),
            Status::NotStarted
        );
        // A todo!() that is only part of the picture is not "not started".
        assert_eq!(
            status_of(
                &[pass.clone(), fail.clone()],
                &facts(&[("b", todo.clone())])
            ),
            Status::Failing
        );
        // unimplemented!() records the same fact: not started, whatever its text.
        assert_eq!(
            status_of(std::slice::from_ref(&fail), &facts(&[("b", todo)])),
            Status::NotStarted
        );
        // A sub-second watchdog is still a hang.
        assert_eq!(
            status_of(
                &[pass.clone(), fail.clone()],
                &facts(&[("b", hung.clone())])
            ),
            Status::TimedOut(Hang::Watchdog(Duration::from_millis(750)))
        );
        assert_eq!(
            status_of(&[fail, fail_c], &facts(&[("b", hung)])),
            Status::Failing,
            "one hang among other failures is a failing suite"
        );
    }

    #[test]
    fn the_first_failure_shown_is_the_most_telling() {
        use grading_protocol::Cause;
        let failed = |name: &str, cause: Option<Cause>, candidates: &[Cause]| TestResult {
            cause,
            candidates: candidates.to_vec(),
            ..result(name, Outcome::Failed)
        };
        let tests = vec![
            result("passes", Outcome::Passed),
            failed("observed_a", None, &[]),
            failed("candidates_a", None, &[Cause::BusyLoop, Cause::NeverJoined]),
            failed("observed_b", None, &[]),
            failed("cause_a", Some(Cause::Sequential), &[]),
            failed("candidates_b", None, &[Cause::BusyLoop]),
            failed("cause_b", Some(Cause::Sequential), &[]),
        ];
        let order: Vec<&str> = most_telling_first(&tests)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "cause_a",
                "cause_b",
                "candidates_a",
                "candidates_b",
                "observed_a",
                "observed_b"
            ]
        );
        let verdict = Verdict {
            status: Status::Failing,
            tests,
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            verdict.first_failure().map(|t| t.name.as_str()),
            Some("cause_a")
        );
        let none_tell = vec![failed("x", None, &[]), failed("y", None, &[])];
        assert_eq!(
            most_telling_first(&none_tell)[0].name,
            "x",
            "then the suite's order"
        );
    }

    #[test]
    fn failures_come_in_the_suites_order_whatever_finished_first() {
        let suite = "#[test]\nfn zeta_first() {}\n\nfn helper() {}\n\n#[test]\n#[cfg(unix)]\nfn alpha_second() {}\n#[tokio::test(start_paused = true)]\nasync fn gamma_third() {}\n";
        let order = test_functions(suite);
        assert_eq!(order, ["zeta_first", "alpha_second", "gamma_third"]);
        let mut tests = vec![
            result("gamma_third", Outcome::Failed),
            result("unknown", Outcome::Failed),
            result("alpha_second", Outcome::Failed),
            result("zeta_first", Outcome::Passed),
        ];
        sort_in_suite_order(&mut tests, &order);
        let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["zeta_first", "alpha_second", "gamma_third", "unknown"]
        );
    }
}
