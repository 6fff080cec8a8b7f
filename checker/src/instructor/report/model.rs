//! The course report, version 1: the document `checker report --format json`
//! writes and `checker class` reads. Its JSON Schema is
//! `checker/schema/report-v1.schema.json`; change both together, and bump
//! [`SCHEMA_VERSION`] for any change an old reader would misread.

use serde::{Deserialize, Serialize};

use crate::engine::check::Report;
use crate::engine::libtest::Outcome;
use crate::engine::verdict::{Hang, Status};

/// Identifies the document type, so a foreign JSON file is told apart.
pub const SCHEMA_NAME: &str = "concurrency-course-report";
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseReport {
    pub schema: String,
    pub schema_version: u32,
    pub checker_version: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub commit: Option<String>,
    pub student: Option<String>,
    pub points: Points,
    pub exercises: Vec<ExerciseReport>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Points {
    pub earned: u32,
    pub possible: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseReport {
    pub id: String,
    pub title: String,
    pub status: ExerciseStatus,
    /// Why it is not solved, when one line says it: the compile error, the
    /// time limit, the crash.
    pub detail: Option<String>,
    /// All or nothing: an exercise is worth its points once its whole suite
    /// passes (a correct answer that runs the wrong way is not solved).
    pub points: Points,
    /// Wall time of the whole suite.
    pub duration_secs: f64,
    pub tests: Vec<TestReport>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseStatus {
    Solved,
    NotStarted,
    Failing,
    DoesNotCompile,
    TimedOut,
    Crashed,
}

impl ExerciseStatus {
    pub fn label(self) -> &'static str {
        match self {
            ExerciseStatus::Solved => "solved",
            ExerciseStatus::NotStarted => "not started",
            ExerciseStatus::Failing => "failing",
            ExerciseStatus::DoesNotCompile => "does not compile",
            ExerciseStatus::TimedOut => "timed out",
            ExerciseStatus::Crashed => "crashed",
        }
    }
    /// The suite could not report on every test (as opposed to tests failing).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            ExerciseStatus::DoesNotCompile | ExerciseStatus::TimedOut | ExerciseStatus::Crashed
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestReport {
    pub name: String,
    pub status: TestStatus,
    /// The grader's diagnosis, for a failed test.
    pub message: Option<String>,
    /// Time spent in the student's code, when the grader timed it.
    pub duration_secs: Option<f64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Passed,
    Failed,
    Ignored,
}

impl CourseReport {
    pub fn new(
        reports: &[Report],
        student: Option<String>,
        commit: Option<String>,
    ) -> CourseReport {
        let exercises: Vec<ExerciseReport> = reports.iter().map(exercise_report).collect();
        let points = Points {
            earned: exercises.iter().map(|e| e.points.earned).sum(),
            possible: exercises.iter().map(|e| e.points.possible).sum(),
        };
        CourseReport {
            schema: SCHEMA_NAME.into(),
            schema_version: SCHEMA_VERSION,
            checker_version: env!("CARGO_PKG_VERSION").into(),
            generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            commit,
            student,
            points,
            exercises,
        }
    }
}

fn exercise_report(r: &Report) -> ExerciseReport {
    let (status, detail) = match r.status() {
        Status::Solved => (ExerciseStatus::Solved, None),
        Status::NotStarted => (ExerciseStatus::NotStarted, None),
        Status::Failing => (ExerciseStatus::Failing, None),
        Status::DoesNotCompile(e) => (
            ExerciseStatus::DoesNotCompile,
            Some(match &e.location {
                Some(at) => format!("{at}: {}", e.message),
                None => e.message.clone(),
            }),
        ),
        Status::MissingFile(file) => (
            ExerciseStatus::DoesNotCompile,
            Some(format!("{} is missing", file.display())),
        ),
        Status::TimedOut(Hang::Watchdog(limit)) => (
            ExerciseStatus::TimedOut,
            Some(format!(
                "the grader's watchdog stopped every failing test after {:.1} s of real time: \
                 something blocks or never ends",
                limit.as_secs_f64()
            )),
        ),
        Status::TimedOut(Hang::Killed(limit)) => (
            ExerciseStatus::TimedOut,
            Some(format!(
                "the suite was killed after {:.1} s of real time: something blocks or never ends",
                limit.as_secs_f64()
            )),
        ),
        Status::Crashed(reason) => (ExerciseStatus::Crashed, Some(reason.clone())),
    };
    let possible = r.exercise.points;
    ExerciseReport {
        id: r.exercise.id.clone(),
        title: r.exercise.title.clone(),
        status,
        detail,
        points: Points {
            earned: if status == ExerciseStatus::Solved {
                possible
            } else {
                0
            },
            possible,
        },
        duration_secs: round_ms(r.verdict.elapsed.as_secs_f64()),
        tests: r
            .verdict
            .tests
            .iter()
            .map(|t| TestReport {
                name: t.name.clone(),
                status: match t.outcome {
                    Outcome::Passed => TestStatus::Passed,
                    Outcome::Failed => TestStatus::Failed,
                    Outcome::Ignored => TestStatus::Ignored,
                },
                message: (t.outcome == Outcome::Failed).then(|| t.message.clone()),
                duration_secs: t.duration.map(|d| round_ms(d.as_secs_f64())),
            })
            .collect(),
    }
}

/// Milliseconds are enough, and keep the documents short.
fn round_ms(secs: f64) -> f64 {
    (secs * 1000.0).round() / 1000.0
}
