//! The course report: the document `checker report --format json`
//! writes and `checker class` reads. Its JSON Schema is
//! `checker/schema/report-v4.schema.json`; change both together, and bump
//! [`SCHEMA_VERSION`] for any change an old reader would misread.
//!
//! A test's timelines are embedded as the suite recorded them: the serde
//! form of `grading_protocol::Timeline`, the one form from the suite's fact
//! to the HTML page. Versions 2 and 3 wrote another form, still read (see
//! [`before_v4`]).

use grading_protocol::Timeline;
use serde::{Deserialize, Deserializer, Serialize};

use crate::engine::check::Report;
use crate::engine::libtest::Outcome;
use crate::engine::verdict::{Hang, Status};

/// Identifies the document type, so a foreign JSON file is told apart.
pub const SCHEMA_NAME: &str = "concurrency-course-report";
pub const SCHEMA_VERSION: u32 = 4;
/// Versions `checker class` reads: version 1 lacks the timelines, version 2
/// the causes and the spans whose end was not seen (read as none: a
/// version-2 report drew every span as seen), versions 2 and 3 write
/// timelines in their own form (see [`before_v4`]).
pub const READABLE_VERSIONS: [u32; 4] = [1, 2, 3, 4];

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
    /// How the work ran, when the grader drew it (version 2; the
    /// timeline's own serde form since version 4).
    #[serde(default, deserialize_with = "before_v4::timeline")]
    pub observed: Option<Timeline>,
    /// How a correct solution runs the same scenario (as `observed`).
    #[serde(default, deserialize_with = "before_v4::timeline")]
    pub expected: Option<Timeline>,
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
            o,
            e,
            grading_protocol::Charset::Ascii,
        ))
    }
}

/// Timelines as versions 2 and 3 wrote them, read into a [`Timeline`].
///
/// The mapping, field by field (version 4 on the right):
/// - `title`, `clock` (`"virtual"` or `"real"`): the same.
/// - a lane's `spans`, `[start, end]` in seconds: spans with `end_seen: true`,
///   `start_us`/`end_us` the seconds in whole microseconds (rounded);
/// - a lane's `unseen`, `[start, until]` (version 3; none in version 2): spans
///   with `end_seen: false`, `end_us` being `until`; the lane's spans are
///   then sorted by start (version 3 kept the two kinds apart, so the
///   grader's own order is lost; drawing does not depend on it);
/// - a mark's `at_secs`: `at_us`.
///
/// The two forms cannot be mistaken for each other (a span is a pair in one,
/// an object in the other; a mark has `at_secs` or `at_us`), so a timeline
/// is read in whichever form it has; where both readings succeed (no span,
/// no mark) they mean the same timeline.
pub mod before_v4 {
    use std::time::Duration;

    use grading_protocol::timeline::{Clock, Lane, Mark, Span, Timeline};
    use serde::Deserialize;

    use super::Deserializer;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OldTimeline {
        title: String,
        clock: Clock,
        lanes: Vec<OldLane>,
        marks: Vec<OldMark>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OldLane {
        label: String,
        spans: Vec<[f64; 2]>,
        #[serde(default)]
        unseen: Vec<[f64; 2]>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OldMark {
        label: String,
        at_secs: f64,
    }

    fn us(secs: f64) -> Duration {
        // Whole microseconds, as version 3 rounded them; never negative.
        Duration::from_micros((secs.max(0.0) * 1e6).round() as u64)
    }

    impl From<OldTimeline> for Timeline {
        fn from(old: OldTimeline) -> Timeline {
            Timeline {
                title: old.title,
                clock: old.clock,
                lanes: old
                    .lanes
                    .into_iter()
                    .map(|lane| {
                        let span = |[a, b]: [f64; 2], end_seen| Span {
                            start: us(a),
                            end: us(b),
                            end_seen,
                        };
                        let mut spans: Vec<Span> = lane
                            .spans
                            .into_iter()
                            .map(|s| span(s, true))
                            .chain(lane.unseen.into_iter().map(|s| span(s, false)))
                            .collect();
                        spans.sort_by_key(|s| s.start);
                        Lane {
                            label: lane.label,
                            spans,
                        }
                    })
                    .collect(),
                marks: old
                    .marks
                    .into_iter()
                    .map(|m| Mark {
                        label: m.label,
                        at: us(m.at_secs),
                    })
                    .collect(),
            }
        }
    }

    /// A test's `observed` or `expected`, in either form (see the module).
    pub fn timeline<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timeline>, D::Error> {
        let Some(value) = Option::<serde_json::Value>::deserialize(d)? else {
            return Ok(None);
        };
        match Timeline::deserialize(&value) {
            Ok(t) => Ok(Some(t)),
            Err(current) => OldTimeline::deserialize(&value)
                .map(|old| Some(old.into()))
                // Neither form: say what the current one lacks.
                .map_err(|_| serde::de::Error::custom(current)),
        }
    }
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
                observed: t.timelines.as_ref().map(|(o, _)| o.clone()),
                expected: t.timelines.as_ref().map(|(_, e)| e.clone()),
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use grading_protocol::{Clock, Timeline};

    use super::*;

    fn observed(report: &CourseReport) -> Option<&Timeline> {
        report.exercises[0].tests[2].observed.as_ref()
    }

    #[test]
    fn a_version_3_report_reads_as_its_version_4_twin() {
        let v3 = include_str!("../../../tests/fixtures/report-v3.json");
        let v4 = include_str!("../../../tests/fixtures/report-v4.json");
        let (v3, v4) = (
            crate::instructor::class::parse_report(v3).unwrap(),
            crate::instructor::class::parse_report(v4).unwrap(),
        );
        assert!(observed(&v4).is_some(), "the fixture has a timeline");
        assert_eq!(observed(&v3), observed(&v4));
        assert_eq!(
            v3.exercises[0].tests[2].expected,
            v4.exercises[0].tests[2].expected
        );
    }

    #[test]
    fn a_version_3_timeline_keeps_its_unseen_spans_and_marks() {
        let old = r#"{"title": "observed", "clock": "real", "lanes": [
            {"label": "op 0", "spans": [[1.5, 2.0], [0.0, 0.25]], "unseen": [[0.5, 3.0]]}],
            "marks": [{"label": "deadline", "at_secs": 2.0}]}"#;
        let read = |json: &str| {
            before_v4::timeline(&mut serde_json::Deserializer::from_str(json))
                .unwrap()
                .unwrap()
        };
        let ms = Duration::from_millis;
        let seen = |t: &Timeline| -> Vec<(Duration, Duration, bool)> {
            t.lanes[0]
                .spans
                .iter()
                .map(|s| (s.start, s.end, s.end_seen))
                .collect()
        };
        let t = read(old);
        assert_eq!(t.clock, Clock::Real);
        assert_eq!(
            seen(&t),
            [
                (ms(0), ms(250), true),
                (ms(500), ms(3000), false),
                (ms(1500), ms(2000), true)
            ],
            "in order of start"
        );
        assert_eq!(t.marks[0].at, ms(2000));
        let again = read(&serde_json::to_string(&t).unwrap());
        assert_eq!(again, t, "and its version-4 form reads back the same");
        assert!(
            before_v4::timeline(&mut serde_json::Deserializer::from_str(
                r#"{"title": "x", "clock": "virtual", "lanes": [{"label": "a", "spans": [[0, 1, 2]]}], "marks": []}"#
            ))
            .is_err(),
            "neither form"
        );
    }
}
