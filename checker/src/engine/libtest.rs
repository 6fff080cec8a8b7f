//! Reads the plain-text output of a libtest binary (the default test harness).

use std::collections::BTreeMap;

use grading_protocol::{Cause, Timeline};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Passed,
    Failed,
    Ignored,
}

/// One test's result, with the failure's output (the grader's diagnosis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub name: String,
    pub outcome: Outcome,
    pub message: String,
    /// Time spent in the student's code, when the grader timed it.
    pub duration: Option<std::time::Duration>,
    /// How the work ran and how it should have (observed, expected), when
    /// the grader drew it: the timelines as the suite recorded them.
    #[serde(default)]
    pub timelines: Option<(Timeline, Timeline)>,
    /// The cause the failure's diagnosis asserts, if it asserts one (a
    /// fact the grader recorded, never read from the message).
    #[serde(default, with = "cause_ids::one")]
    pub cause: Option<Cause>,
    /// The likely causes it lists instead, most likely first.
    #[serde(default, with = "cause_ids::many")]
    pub candidates: Vec<Cause>,
}

/// Causes are stored by their stable ids (the vocabulary's own names);
/// an id this checker does not know reads as no cause.
mod cause_ids {
    use grading_protocol::Cause;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub mod one {
        use super::*;

        pub fn serialize<S: Serializer>(c: &Option<Cause>, s: S) -> Result<S::Ok, S::Error> {
            c.map(Cause::id).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cause>, D::Error> {
            Ok(Option::<String>::deserialize(d)?.and_then(|id| Cause::from_id(&id)))
        }
    }

    pub mod many {
        use super::*;

        pub fn serialize<S: Serializer>(cs: &[Cause], s: S) -> Result<S::Ok, S::Error> {
            let ids: Vec<&str> = cs.iter().map(|c| c.id()).collect();
            ids.serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cause>, D::Error> {
            let ids = Vec::<String>::deserialize(d)?;
            Ok(ids.iter().filter_map(|id| Cause::from_id(id)).collect())
        }
    }
}

/// Parses `test <name> ... ok|FAILED|ignored` lines and the `---- <name> stdout ----`
/// sections that hold each failure's output. Tests are returned in the order reported.
pub fn parse(stdout: &str) -> Vec<TestResult> {
    let mut results = Vec::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, verdict)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let outcome = match verdict.trim() {
            "ok" => Outcome::Passed,
            "FAILED" => Outcome::Failed,
            v if v.starts_with("ignored") => Outcome::Ignored,
            _ => continue,
        };
        results.push(TestResult {
            name: name.to_string(),
            outcome,
            message: String::new(),
            duration: None,
            timelines: None,
            cause: None,
            candidates: Vec::new(),
        });
    }
    let messages = failure_sections(stdout);
    for r in &mut results {
        if let Some(m) = messages.get(&r.name) {
            r.message = m.clone();
        }
    }
    results
}

fn failure_sections(stdout: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in stdout.lines() {
        let header = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"));
        let ends_section =
            header.is_some() || line == "failures:" || line.starts_with("test result:");
        if ends_section {
            if let Some((name, body)) = current.take() {
                sections.insert(name, body.join("\n").trim().to_string());
            }
        }
        match header {
            Some(name) => current = Some((name.to_string(), Vec::new())),
            None => {
                if let Some((_, body)) = current.as_mut() {
                    body.push(line);
                }
            }
        }
    }
    if let Some((name, body)) = current {
        sections.insert(name, body.join("\n").trim().to_string());
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\nrunning 3 tests\ntest a_test ... ok\ntest b_test ... FAILED\ntest c_test ... ignored, slow\n\nfailures:\n\n---- b_test stdout ----\nyour code panicked\nTry: this\n\n\nfailures:\n    b_test\n\ntest result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n";

    #[test]
    fn reads_outcomes_and_failure_messages() {
        let results = parse(SAMPLE);
        let summary: Vec<(&str, Outcome)> = results
            .iter()
            .map(|r| (r.name.as_str(), r.outcome))
            .collect();
        assert_eq!(
            summary,
            [
                ("a_test", Outcome::Passed),
                ("b_test", Outcome::Failed),
                ("c_test", Outcome::Ignored)
            ]
        );
        assert_eq!(results[1].message, "your code panicked\nTry: this");
        assert_eq!(results[0].message, "");
    }
}
