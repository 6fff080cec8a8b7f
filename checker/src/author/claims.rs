//! What a catalogued mistake's failing tests claim, checked against what
//! the mistake declares and what was measured: every failing test asserts
//! the declared cause or none (and lists it among any candidates), and a
//! peak a sentence states is its picture's peak. Judged from the facts the
//! graders recorded, never from the wording, except the stated peak, which
//! is the wording being checked.

use grading_protocol::Cause;

use crate::author::candidates::Candidate;
use crate::engine::libtest::{Outcome, TestResult};

/// What is untrue in any failing test's diagnosis of a mistake, judged
/// from the recorded facts: a cause other than the declared one, and (for a
/// mistake whose picture is checked, `// Observed ...:`) a peak the sentence
/// states that the picture does not show. Empty when all holds.
pub fn every_failure_true(
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
pub fn causes_told(results: &[TestResult], facts: &grading_protocol::SuiteFacts) -> String {
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
