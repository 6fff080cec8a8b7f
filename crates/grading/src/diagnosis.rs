//! A failing test's diagnosis: what was observed, the cause when the evidence
//! proves one (or the likely causes when it only narrows them down), and what
//! to try. One dialect for every suite, written as ordinary calls so that
//! rustfmt formats it:
//!
//! ```ignore
//! Diagnosis::new(format!("3 sleeps of 1 s took {}", fmt_duration(t)))
//!     .cause(Cause::Sequential)
//!     .advice("start them all before awaiting any")
//!     .fail();
//! ```
//!
//! The cause travels to the checker as a typed fact (see
//! `grading_protocol::cause`), never through the wording: `dev verify`
//! checks it against each catalogued mistake's declared cause, and reports
//! carry its id. A diagnosis without `.cause` or `.candidates` asserts none:
//! that is the honest choice whenever the evidence does not prove a cause.
//!
//! A diagnosis of how the work ran carries its picture (`.picture`): drawn
//! under the observation, and recorded for the checker with the cause. Only
//! delivering a diagnosis records anything (`.fail()`, a watchdog, or
//! [`Diagnosis::record_facts`]), so a check that holds records nothing.

use grading_protocol::{Cause, Fact, Timeline};

use crate::diagnose::{drawn, record};

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a diagnosis does nothing until it is failed (`.fail()`) or given to a watchdog"]
pub struct Diagnosis {
    observed: String,
    cause: Option<Cause>,
    candidates: Vec<Cause>,
    advice: Option<String>,
    /// What was observed and what a correct solution does, as timelines
    /// (boxed: a `Result<(), Diagnosis>` stays small).
    picture: Option<Box<(Timeline, Timeline)>>,
}

impl Diagnosis {
    /// What was observed (and, in words, what a correct solution does).
    pub fn new(observed: impl Into<String>) -> Diagnosis {
        Diagnosis {
            observed: observed.into(),
            cause: None,
            candidates: Vec::new(),
            advice: None,
            picture: None,
        }
    }

    /// Asserts `cause`: only when the evidence proves it.
    pub fn cause(mut self, cause: Cause) -> Diagnosis {
        self.cause = Some(cause);
        self.candidates.clear();
        self
    }

    /// Lists the likely causes, most likely first, in the order the evidence
    /// gives; none of them is asserted.
    pub fn candidates(mut self, causes: impl IntoIterator<Item = Cause>) -> Diagnosis {
        self.candidates = causes.into_iter().collect();
        self.cause = None;
        self
    }

    /// What to try, shown after `Try:`. Never recommend what the code
    /// already does.
    pub fn advice(mut self, advice: impl Into<String>) -> Diagnosis {
        self.advice = Some(advice.into());
        self
    }

    /// The picture of how the work ran: `observed` above what a correct
    /// solution does (`expected`), on one scale, under the observation.
    pub fn picture(mut self, observed: Timeline, expected: Timeline) -> Diagnosis {
        self.picture = Some(Box::new((observed, expected)));
        self
    }

    /// The cause this diagnosis asserts, if any.
    pub fn asserted_cause(&self) -> Option<Cause> {
        self.cause
    }

    /// The likely causes it lists, if any.
    pub fn listed_candidates(&self) -> &[Cause] {
        &self.candidates
    }

    /// The message: the observation, then `Try: …` when there is advice.
    /// The picture comes under the observation when drawn here (see
    /// `grading::record_picture`: not when the checker draws it).
    pub fn text(&self) -> String {
        let drawn = self
            .picture
            .as_ref()
            .map_or_else(String::new, |pair| drawn(&pair.0, &pair.1));
        let observed = format!("{}{drawn}", self.observed);
        let observed = observed.trim();
        match &self.advice {
            Some(advice) => format!("{observed}\nTry: {}", advice.trim()),
            None => observed.to_string(),
        }
    }

    /// Records the cause (or candidates) and the picture for the checker,
    /// filed under the test running on this thread. Call it on the test's
    /// own thread.
    pub fn record_facts(&self) {
        if let Some(cause) = self.cause {
            record(&Fact::Cause(cause));
        } else if !self.candidates.is_empty() {
            record(&Fact::Candidates(self.candidates.clone()));
        }
        if let Some(pair) = &self.picture {
            let (observed, expected) = pair.as_ref();
            record(&Fact::Observed(observed.clone()));
            record(&Fact::Expected(expected.clone()));
        }
    }

    /// Fails the test running on this thread with this diagnosis (recording
    /// its facts first).
    #[track_caller]
    pub fn fail(self) -> ! {
        self.record_facts();
        panic!("\n{}\n", self.text())
    }
}

/// `.or_fail()` on a check's `Result<(), Diagnosis>`: fails the test with
/// the diagnosis (see [`Diagnosis::fail`]), or does nothing when it held.
pub trait OrFail {
    fn or_fail(self);
}

impl OrFail for Result<(), Diagnosis> {
    #[track_caller]
    fn or_fail(self) {
        if let Err(diagnosis) = self {
            diagnosis.fail()
        }
    }
}

impl From<&str> for Diagnosis {
    fn from(observed: &str) -> Diagnosis {
        Diagnosis::new(observed)
    }
}

impl From<String> for Diagnosis {
    fn from(observed: String) -> Diagnosis {
        Diagnosis::new(observed)
    }
}

impl From<&String> for Diagnosis {
    fn from(observed: &String) -> Diagnosis {
        Diagnosis::new(observed.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_the_observation_then_the_advice() {
        let d = Diagnosis::new("  took 3 s\n")
            .cause(Cause::Sequential)
            .advice("start them all");
        assert_eq!(d.text(), "took 3 s\nTry: start them all");
        assert_eq!(d.asserted_cause(), Some(Cause::Sequential));
        assert_eq!(Diagnosis::from("took 3 s").text(), "took 3 s");
    }

    #[test]
    fn a_cause_and_candidates_exclude_each_other() {
        let d = Diagnosis::new("x")
            .cause(Cause::Sequential)
            .candidates([Cause::BusyLoop, Cause::ChannelNeverClosed]);
        assert_eq!(d.asserted_cause(), None);
        assert_eq!(
            d.listed_candidates(),
            [Cause::BusyLoop, Cause::ChannelNeverClosed]
        );
        let d = d.cause(Cause::Sequential);
        assert!(d.listed_candidates().is_empty());
    }

    #[test]
    fn the_picture_comes_under_the_observation_before_the_advice() {
        use grading_protocol::Clock;
        use std::time::Duration;
        let t = |title: &str| {
            Timeline::new(title, Clock::Virtual)
                .lane("job 0", &[(Duration::ZERO, Duration::from_secs(1))])
        };
        let d = Diagnosis::new("took 2 s")
            .picture(t("observed"), t("correct"))
            .advice("start them all");
        let text = d.text();
        // Under the checker (a facts file named), the checker draws it instead.
        if std::env::var_os(grading_protocol::FACTS_FILE_VAR).is_none() {
            assert!(
                text.starts_with("took 2 s\nobserved (tokio's clock):\n"),
                "{text}"
            );
            assert!(text.contains("\ncorrect (tokio's clock):\n"), "{text}");
        }
        assert!(text.ends_with("\nTry: start them all"), "{text}");
    }
}
