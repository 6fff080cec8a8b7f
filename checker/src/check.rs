//! Checks a student's exercises: builds every graded suite in one cargo call,
//! runs the test binaries directly (in parallel where that cannot change a
//! verdict) and turns each run into a status.

use std::path::PathBuf;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use anyhow::{bail, Result};
use grading_protocol::SuiteFacts;

use crate::cargo_build::{self, CompileError};
use crate::libtest::{self, Outcome, TestResult};
use crate::manifest::{Course, Exercise};
use crate::run::{self, Ending, Run};

/// Where an exercise stands. Each is distinct and exact.
#[derive(Debug, Clone)]
pub enum Status {
    Solved,
    /// Untouched: every test stops at a `todo!()`.
    NotStarted,
    Failing,
    DoesNotCompile(CompileError),
    TimedOut(Duration),
    Crashed(String),
}

impl Status {
    pub fn is_solved(&self) -> bool {
        matches!(self, Status::Solved)
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub exercise: Exercise,
    pub status: Status,
    pub tests: Vec<TestResult>,
    pub elapsed: Duration,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.count(Outcome::Passed)
    }
    pub fn failed(&self) -> usize {
        self.count(Outcome::Failed)
    }
    fn count(&self, outcome: Outcome) -> usize {
        self.tests.iter().filter(|t| t.outcome == outcome).count()
    }
    pub fn first_failure(&self) -> Option<&TestResult> {
        self.tests.iter().find(|t| t.outcome == Outcome::Failed)
    }
}

pub struct Settings {
    /// Overrides each exercise's `limit_secs`.
    pub limit: Option<Duration>,
    /// Cargo's target folder (`None`: the course's own `target/`).
    pub target_dir: Option<PathBuf>,
    /// Suites run at the same time (exclusive ones always run alone).
    pub jobs: usize,
}

/// Checks `exercises` of `course`; reports come back in course order.
pub fn check(course: &Course, exercises: &[&Exercise], settings: &Settings) -> Result<Vec<Report>> {
    for e in exercises {
        if !course.root.join(&e.path).join("Cargo.toml").is_file() {
            bail!(
                "exercise {}: its folder {} is missing or has no Cargo.toml (restore it, e.g. \
                 `git checkout -- {}`)",
                e.id,
                e.path.display(),
                e.path.display()
            );
        }
    }
    let target_dir = settings
        .target_dir
        .clone()
        .unwrap_or_else(|| course.root.join("target"));
    let ids: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
    let built = cargo_build::build_tests(&course.root, &target_dir, &ids)?;

    let slots: Vec<Mutex<Option<Report>>> = exercises.iter().map(|_| Mutex::new(None)).collect();
    let mut queue: Vec<usize> = Vec::new();
    for (i, e) in exercises.iter().enumerate() {
        match built.executables.get(&e.id) {
            Some(_) => queue.push(i),
            None => {
                let error = built.errors.get(&e.id).cloned().unwrap_or(CompileError {
                    location: None,
                    message: "cargo built no test binary".into(),
                    rendered: String::new(),
                });
                *slots[i].lock().expect("no panic while held") = Some(Report {
                    exercise: (*e).clone(),
                    status: Status::DoesNotCompile(error),
                    tests: Vec::new(),
                    elapsed: Duration::ZERO,
                });
            }
        }
    }
    let (exclusive, shared): (Vec<usize>, Vec<usize>) =
        queue.into_iter().partition(|&i| exercises[i].exclusive);
    let run_one = |i: usize| -> Result<()> {
        let e = exercises[i];
        let exe = &built.executables[&e.id];
        let limit = settings.limit.unwrap_or(Duration::from_secs(e.limit_secs));
        let run = run::run_suite(exe, &course.root.join(&e.path), limit)?;
        *slots[i].lock().expect("no panic while held") = Some(classify(e, run));
        Ok(())
    };
    // Shared suites run a few at a time; exclusive ones afterwards, alone.
    let next = Mutex::new(shared.into_iter());
    thread::scope(|s| -> Result<()> {
        let workers: Vec<_> = (0..settings.jobs.max(1))
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let job = next.lock().expect("no panic while held").next();
                        match job {
                            Some(i) => run_one(i)?,
                            None => return Ok(()),
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("a checker thread panicked")?;
        }
        Ok(())
    })?;
    for i in exclusive {
        run_one(i)?;
    }
    Ok(slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .expect("no panic while held")
                .expect("every slot filled")
        })
        .collect())
}

/// The tests of a suite run that ran to its end, or why it did not: killed
/// at its limit, or crashed before reporting (a signal, an abort, no test).
/// The student view, `verify` and `soak` all judge runs through this.
pub fn finished_tests(run: &Run) -> Result<Vec<TestResult>, Status> {
    match run.ending {
        Ending::TimedOut(limit) => Err(Status::TimedOut(limit)),
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

/// Turns one suite run into a status.
fn classify(exercise: &Exercise, run: Run) -> Report {
    let (status, mut tests) = match finished_tests(&run) {
        Err(status) => (status, libtest::parse(&run.stdout)),
        Ok(tests) => (test_status(&tests, &run.facts), tests),
    };
    for t in &mut tests {
        t.duration = run.facts.get(&t.name).and_then(|f| f.student_time);
    }
    Report {
        exercise: exercise.clone(),
        status,
        tests,
        elapsed: run.elapsed,
    }
}

/// The status of a suite that ran to its end, from the outcomes and the
/// facts the graders recorded (never from the wording of a message).
fn test_status(tests: &[TestResult], facts: &SuiteFacts) -> Status {
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
        Status::TimedOut(stopped.into_iter().max().unwrap_or_default())
    } else {
        Status::Failing
    }
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
