//! The course report: the document `checker report --format json`
//! writes and `checker class` reads. Its JSON Schema is
//! `checker/schema/report-v3.schema.json`; change both together, and bump
//! [`SCHEMA_VERSION`] for any change an old reader would misread.

use serde::{Deserialize, Serialize};

use crate::engine::check::Report;
use crate::engine::libtest::Outcome;
use crate::engine::verdict::{Hang, Status};

/// Identifies the document type, so a foreign JSON file is told apart.
pub const SCHEMA_NAME: &str = "concurrency-course-report";
pub const SCHEMA_VERSION: u32 = 3;
/// Versions `checker class` reads: version 1 lacks the timelines, version 2
/// the causes and the spans whose end was not seen (read as none: a
/// version-2 report drew every span as seen).
pub const READABLE_VERSIONS: [u32; 3] = [1, 2, 3];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseReport {
    pub schema: String,
    pub schema_version: u32,
    pub checker_version: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub commit: Option<String>,
    /// The course's title (`[course] title` in course.toml); absent before
    /// version 3.
    #[serde(default)]
    pub course: Option<String>,
    pub student: Option<String>,
    pub points: Points,
    pub exercises: Vec<ExerciseReport>,
}

impl CourseReport {
    /// What pages and summaries call the course: its title, or "Course"
    /// for a report from before titles were written.
    pub fn course_title(&self) -> &str {
        self.course.as_deref().unwrap_or("Course")
    }
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
    /// The student's file is gone (deleted or renamed): said as such, as the
    /// terminal says it, rather than as a compile error.
    FileMissing,
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
            ExerciseStatus::FileMissing => "file missing",
            ExerciseStatus::TimedOut => "timed out",
            ExerciseStatus::Crashed => "crashed",
        }
    }
    /// The suite could not report on every test (as opposed to tests failing).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            ExerciseStatus::DoesNotCompile
                | ExerciseStatus::FileMissing
                | ExerciseStatus::TimedOut
                | ExerciseStatus::Crashed
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
    /// How the work ran, when the grader drew it (version 2).
    #[serde(default)]
    pub observed: Option<TimelineReport>,
    /// How a correct solution runs the same scenario (version 2).
    #[serde(default)]
    pub expected: Option<TimelineReport>,
    /// The id of the cause the failure's diagnosis asserts
    /// (`grading_protocol::Cause`), if it asserts one (version 3).
    #[serde(default)]
    pub cause: Option<String>,
    /// The ids of the likely causes it lists instead, most likely first
    /// (version 3).
    #[serde(default)]
    pub candidates: Vec<String>,
}

impl crate::engine::verdict::Diagnosed for TestReport {
    fn failed(&self) -> bool {
        self.status == TestStatus::Failed
    }

    fn telling(&self) -> crate::engine::verdict::Telling {
        crate::engine::verdict::telling(self.cause.is_some(), !self.candidates.is_empty())
    }
}

impl TestReport {
    /// The test's timelines drawn in ASCII (for reports read as plain
    /// text), when the grader drew them.
    pub fn picture(&self) -> Option<String> {
        let (o, e) = (self.observed.as_ref()?, self.expected.as_ref()?);
        Some(grading_protocol::timeline::render_pair(
            &o.to_timeline(),
            &e.to_timeline(),
            grading_protocol::Charset::Ascii,
        ))
    }
}

/// A timeline (`grading_protocol::Timeline`) as data other tools can draw.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimelineReport {
    pub title: String,
    /// `virtual` (tokio's paused clock) or `real`.
    pub clock: String,
    pub lanes: Vec<LaneReport>,
    pub marks: Vec<MarkReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LaneReport {
    pub label: String,
    /// `[start, end]` in seconds from the start of the scenario: when the
    /// work was seen to start and seen to end.
    pub spans: Vec<[f64; 2]>,
    /// Work seen to start whose end was not seen (version 3): `[start,
    /// until]`, `until` being only where the grader stopped looking. Kept
    /// out of `spans` so that a tool drawing `spans` as busy stays true.
    #[serde(default)]
    pub unseen: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarkReport {
    pub label: String,
    pub at_secs: f64,
}

impl TimelineReport {
    pub fn from_timeline(t: &grading_protocol::Timeline) -> TimelineReport {
        TimelineReport {
            title: t.title.clone(),
            clock: match t.clock {
                grading_protocol::Clock::Virtual => "virtual".into(),
                grading_protocol::Clock::Real => "real".into(),
            },
            lanes: t
                .lanes
                .iter()
                .map(|l| {
                    let pairs = |seen: bool| -> Vec<[f64; 2]> {
                        l.spans
                            .iter()
                            .filter(|s| s.end_seen == seen)
                            .map(|s| {
                                [
                                    round_us(s.start.as_secs_f64()),
                                    round_us(s.end.as_secs_f64()),
                                ]
                            })
                            .collect()
                    };
                    LaneReport {
                        label: l.label.clone(),
                        spans: pairs(true),
                        unseen: pairs(false),
                    }
                })
                .collect(),
            marks: t
                .marks
                .iter()
                .map(|m| MarkReport {
                    label: m.label.clone(),
                    at_secs: round_us(m.at.as_secs_f64()),
                })
                .collect(),
        }
    }

    /// Back to a timeline, to draw it.
    pub fn to_timeline(&self) -> grading_protocol::Timeline {
        let secs = |x: f64| std::time::Duration::try_from_secs_f64(x.max(0.0)).unwrap_or_default();
        let clock = if self.clock == "real" {
            grading_protocol::Clock::Real
        } else {
            grading_protocol::Clock::Virtual
        };
        let mut t = grading_protocol::Timeline::new(&self.title, clock);
        for lane in &self.lanes {
            let span = |[a, b]: &[f64; 2], end_seen| grading_protocol::timeline::Span {
                start: secs(*a),
                end: secs(*b),
                end_seen,
            };
            let mut spans: Vec<_> = lane
                .spans
                .iter()
                .map(|s| span(s, true))
                .chain(lane.unseen.iter().map(|s| span(s, false)))
                .collect();
            spans.sort_by_key(|s| s.start);
            t.lanes.push(grading_protocol::timeline::Lane {
                label: lane.label.clone(),
                spans,
            });
        }
        for m in &self.marks {
            t = t.mark(&m.label, secs(m.at_secs));
        }
        t
    }
}

/// Microseconds are enough.
fn round_us(secs: f64) -> f64 {
    (secs * 1e6).round() / 1e6
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
        course: &str,
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
            course: Some(course.to_string()),
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
            ExerciseStatus::FileMissing,
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
                observed: t
                    .timelines()
                    .map(|(o, _)| TimelineReport::from_timeline(&o)),
                expected: t
                    .timelines()
                    .map(|(_, e)| TimelineReport::from_timeline(&e)),
                cause: t.cause.map(|c| c.id().to_string()),
                candidates: t.candidates.iter().map(|c| c.id().to_string()).collect(),
            })
            .collect(),
    }
}

/// Milliseconds are enough, and keep the documents short.
fn round_ms(secs: f64) -> f64 {
    (secs * 1000.0).round() / 1000.0
}
