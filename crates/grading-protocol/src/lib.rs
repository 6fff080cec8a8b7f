//! The contract between the graded suites and the checker.
//!
//! A suite's messages are for students and may be reworded at any time; the
//! checker must never decide a status by reading them. So the `grading` crate
//! also records *facts* about each test (the student's code reached a
//! `todo!()`, the watchdog stopped the test, how long the student's code ran)
//! in a side file, and the checker reads that file. Both sides use this crate,
//! so the format is defined once.
//!
//! The file is named by the environment variable [`FACTS_FILE_VAR`], which the
//! checker sets for each suite run; when it is unset (a plain `cargo test`)
//! nothing is recorded. Each fact is one line, `<test>\t<kind>[\t<value>]`,
//! appended with a single write so that tests running in parallel never
//! interleave their lines. Unknown kinds are skipped, so an older checker can
//! read a newer suite's file. A timeline's value is its JSON (one line: JSON
//! escapes tabs and newlines), the same serde form the checker keeps and its
//! JSON report embeds.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

pub mod cause;
pub mod timeline;

pub use cause::Cause;
pub use timeline::{Charset, Clock, Timeline};

/// The environment variable naming the facts file.
pub const FACTS_FILE_VAR: &str = "GRADING_FACTS";

/// One thing a grader observed about a test.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// Real time spent in the student's code (one call; a test may make several).
    StudentTime(Duration),
    /// The grader's watchdog gave up on the student's code after this long:
    /// the code blocked or never finished.
    WatchdogStopped(Duration),
    /// The student's code reached a `todo!()` or `unimplemented!()`.
    NotStarted,
    /// The student's code panicked (anything but a `todo!()`).
    StudentPanicked,
    /// What the grader observed of how the work ran, as a timeline.
    Observed(Timeline),
    /// What a correct solution does in the same scenario.
    Expected(Timeline),
    /// The diagnosis asserts this cause: the evidence proves it.
    Cause(Cause),
    /// The diagnosis lists these likely causes, most likely first (the
    /// evidence's order); it proves none of them.
    Candidates(Vec<Cause>),
}

impl Fact {
    fn kind(&self) -> &'static str {
        match self {
            Fact::StudentTime(_) => "student-time",
            Fact::WatchdogStopped(_) => "watchdog-stopped",
            Fact::NotStarted => "not-started",
            Fact::StudentPanicked => "student-panicked",
            Fact::Observed(_) => "observed",
            Fact::Expected(_) => "expected",
            Fact::Cause(_) => "cause",
            Fact::Candidates(_) => "candidates",
        }
    }

    /// The line recording this fact about `test` (with its newline).
    pub fn to_line(&self, test: &str) -> String {
        let test = test.replace(['\t', '\n', '\r'], " ");
        match self {
            Fact::StudentTime(d) | Fact::WatchdogStopped(d) => {
                format!("{test}\t{}\t{}\n", self.kind(), d.as_secs_f64())
            }
            Fact::NotStarted | Fact::StudentPanicked => format!("{test}\t{}\n", self.kind()),
            Fact::Observed(t) | Fact::Expected(t) => {
                let json = serde_json::to_string(t).expect("a timeline is plain data");
                format!("{test}\t{}\t{json}\n", self.kind())
            }
            Fact::Cause(c) => format!("{test}\t{}\t{}\n", self.kind(), c.id()),
            Fact::Candidates(cs) => {
                let ids: Vec<&str> = cs.iter().map(|c| c.id()).collect();
                format!("{test}\t{}\t{}\n", self.kind(), ids.join(","))
            }
        }
    }

    /// Reads one line; `None` for a line this version does not understand.
    pub fn parse(line: &str) -> Option<(String, Fact)> {
        let mut fields = line.trim_end_matches(['\r', '\n']).split('\t');
        let test = fields.next().filter(|t| !t.is_empty())?.to_string();
        let kind = fields.next()?;
        let mut secs = || {
            fields
                .next()?
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
        };
        let fact = match kind {
            "student-time" => Fact::StudentTime(secs()?),
            "watchdog-stopped" => Fact::WatchdogStopped(secs()?),
            "not-started" => Fact::NotStarted,
            "student-panicked" => Fact::StudentPanicked,
            "observed" => Fact::Observed(serde_json::from_str(fields.next()?).ok()?),
            "expected" => Fact::Expected(serde_json::from_str(fields.next()?).ok()?),
            "cause" => Fact::Cause(Cause::from_id(fields.next()?)?),
            "candidates" => Fact::Candidates(
                fields
                    .next()?
                    .split(',')
                    .map(Cause::from_id)
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        };
        Some((test, fact))
    }
}

/// Appends `fact` about `test` to the facts file, if the checker asked for
/// one. Best effort: a grader never fails because the file cannot be written.
pub fn record(test: &str, fact: &Fact) {
    let Some(path) = std::env::var_os(FACTS_FILE_VAR) else {
        return;
    };
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
    {
        let _ = file.write_all(fact.to_line(test).as_bytes());
    }
}

/// Everything recorded about one test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestFacts {
    /// Total real time spent in the student's code, if the grader timed it.
    pub student_time: Option<Duration>,
    /// The longest watchdog limit that stopped the student's code, if any.
    pub watchdog_stopped: Option<Duration>,
    pub not_started: bool,
    pub student_panicked: bool,
    /// How the work ran, when the grader drew it (the last one recorded).
    pub observed: Option<Timeline>,
    /// How a correct solution runs the same scenario.
    pub expected: Option<Timeline>,
    /// The cause the failure's diagnosis asserts, if it asserts one.
    pub cause: Option<Cause>,
    /// The likely causes the diagnosis lists instead, most likely first.
    pub candidates: Vec<Cause>,
}

impl TestFacts {
    fn add(&mut self, fact: Fact) {
        match fact {
            Fact::StudentTime(d) => *self.student_time.get_or_insert(Duration::ZERO) += d,
            Fact::WatchdogStopped(d) => {
                self.watchdog_stopped = Some(self.watchdog_stopped.map_or(d, |w| w.max(d)));
            }
            Fact::NotStarted => self.not_started = true,
            Fact::StudentPanicked => self.student_panicked = true,
            Fact::Observed(t) => self.observed = Some(t),
            Fact::Expected(t) => self.expected = Some(t),
            // A test fails once: the last diagnosis recorded is the one shown.
            Fact::Cause(c) => {
                self.cause = Some(c);
                self.candidates.clear();
            }
            Fact::Candidates(cs) => {
                self.candidates = cs;
                self.cause = None;
            }
        }
    }
}

/// The facts of a whole suite run, by test name.
pub type SuiteFacts = BTreeMap<String, TestFacts>;

/// Reads facts from the text of a facts file; unreadable lines are skipped.
pub fn parse_all(text: &str) -> SuiteFacts {
    let mut facts = SuiteFacts::new();
    for (test, fact) in text.lines().filter_map(Fact::parse) {
        facts.entry(test).or_default().add(fact);
    }
    facts
}

/// Reads a facts file; a missing or unreadable file means no facts.
pub fn read(path: &Path) -> SuiteFacts {
    std::fs::read_to_string(path)
        .map(|text| parse_all(&text))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_reads_back() {
        let facts = [
            Fact::StudentTime(Duration::from_millis(250)),
            Fact::WatchdogStopped(Duration::from_millis(500)),
            Fact::NotStarted,
            Fact::StudentPanicked,
            Fact::Observed(
                Timeline::new("observed", Clock::Virtual)
                    .lane("job 0", &[(Duration::ZERO, Duration::from_secs(1))]),
            ),
            Fact::Cause(Cause::Sequential),
            Fact::Candidates(vec![Cause::BusyLoop, Cause::ChannelNeverClosed]),
        ];
        for fact in facts {
            let line = fact.to_line("mod::a_test");
            assert_eq!(
                Fact::parse(&line),
                Some(("mod::a_test".to_string(), fact.clone())),
                "{line:?}"
            );
        }
    }

    #[test]
    fn facts_add_up_per_test() {
        let text = [
            Fact::StudentTime(Duration::from_secs(1)).to_line("a"),
            Fact::StudentTime(Duration::from_secs(2)).to_line("a"),
            Fact::WatchdogStopped(Duration::from_secs(3)).to_line("a"),
            Fact::NotStarted.to_line("b"),
            "garbage\n".to_string(),
            "c\tfrom-a-newer-suite\t1\n".to_string(),
        ]
        .concat();
        let facts = parse_all(&text);
        assert_eq!(facts.len(), 2, "{facts:?}");
        assert_eq!(facts["a"].student_time, Some(Duration::from_secs(3)));
        assert_eq!(facts["a"].watchdog_stopped, Some(Duration::from_secs(3)));
        assert!(facts["b"].not_started && !facts["a"].not_started);
    }

    #[test]
    fn a_sub_second_watchdog_is_read_exactly() {
        let line = Fact::WatchdogStopped(Duration::from_millis(750)).to_line("t");
        let (_, fact) = Fact::parse(&line).unwrap();
        assert_eq!(fact, Fact::WatchdogStopped(Duration::from_millis(750)));
    }
}
