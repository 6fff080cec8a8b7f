//! The files `verify` grades for each exercise: the untouched stub, the
//! reference solution and the catalogued mistakes.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use grading_protocol::Cause;

use crate::author::{diagnoses, overlay};
use crate::engine::manifest::Exercise;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Every test fails (a test that passes on `todo!()` tests nothing).
    AllFail,
    /// Every test passes.
    AllPass,
    /// This test fails, and its message contains this text.
    Rejects { test: String, message: String },
}

#[derive(Debug, Clone)]
pub struct Candidate {
    /// `stub`, `reference` or `mistake <what>`.
    pub label: String,
    /// Relative to the course root.
    pub file: PathBuf,
    pub expect: Expect,
    /// A mistake stored as the items it changes, laid over the reference
    /// (see `overlay`); `None` for a complete file.
    pub overlay: Option<overlay::Changes>,
    /// What the rejecting test's timeline must show (`// Observed ...:`).
    pub shape: Vec<Shape>,
    /// A mistake's declared cause (`// Cause: <id>`; `None` for `// Cause:
    /// none`, and for the stub and the reference, which declare none), or
    /// what is wrong with its `// Cause:` line: that fails the mistake's row
    /// (naming the file and the fix), not the whole exercise.
    pub cause: Result<Option<Cause>, String>,
    /// A mistake's reviewed output (see `diagnoses`); `None` for the stub
    /// and the reference.
    pub snapshot: Option<Snapshot>,
}

/// What `verify` compares a mistake's student-facing output with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The kept output (`solutions/mistakes/snapshots/<mistake>.txt`), if any.
    pub kept: Option<String>,
    /// Write the output instead of comparing (`--accept-snapshots`).
    pub accept: bool,
    /// The suite's tests in the order they are written.
    pub order: Vec<String>,
}

/// A check of the timeline a test recorded of how the work ran: which lanes
/// were busy, which stayed empty, how many were busy at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `// Observed peak: 1`: at most this many lanes busy at once, exactly.
    Peak(usize),
    /// `// Observed busy: worker 1, worker 2`: these lanes did some work.
    Busy(String),
    /// `// Observed empty: worker 2`: these lanes did none.
    Empty(String),
}

impl Shape {
    /// Whether `timeline` shows this; otherwise what it shows instead.
    pub fn check(&self, timeline: &grading_protocol::Timeline) -> Result<(), String> {
        let lane = |label: &str| timeline.lanes.iter().find(|l| l.label == label);
        let labels = || {
            let all: Vec<&str> = timeline.lanes.iter().map(|l| l.label.as_str()).collect();
            all.join(", ")
        };
        // Work whose end was not seen is not drawn, nor counted, as busy.
        let busy = |l: &grading_protocol::timeline::Lane| {
            l.spans.iter().any(|s| s.end_seen && s.end > s.start)
        };
        match self {
            Shape::Peak(n) if timeline.peak() == *n => Ok(()),
            Shape::Peak(n) => Err(format!(
                "at most {} lanes were busy at once, not {n}",
                timeline.peak()
            )),
            Shape::Busy(label) | Shape::Empty(label) => match lane(label) {
                None => Err(format!(
                    "it has no lane `{label}` (its lanes: {})",
                    labels()
                )),
                Some(l) if busy(l) == matches!(self, Shape::Busy(_)) => Ok(()),
                Some(_) if matches!(self, Shape::Busy(_)) => {
                    Err(format!("lane `{label}` has no work seen to end"))
                }
                Some(_) => Err(format!("lane `{label}` is busy")),
            },
        }
    }
}

impl Candidate {
    /// The complete student file this candidate stands for.
    pub fn source(&self, root: &Path, exercise: &Exercise) -> Result<String> {
        let text = fs::read_to_string(root.join(&self.file))
            .with_context(|| format!("cannot read {}", self.file.display()))?;
        let Some(changes) = &self.overlay else {
            return Ok(text);
        };
        let reference = exercise.reference();
        let base = fs::read_to_string(root.join(&reference))
            .with_context(|| format!("cannot read {}", reference.display()))?;
        overlay::apply(&base, &text, changes).with_context(|| {
            format!(
                "{} cannot be laid over {}",
                self.file.display(),
                reference.display()
            )
        })
    }
}

/// Lists an exercise's candidates. A missing file or a malformed mistake
/// header is an error naming the file and what to write.
pub fn for_exercise(root: &Path, exercise: &Exercise) -> Result<Vec<Candidate>> {
    let mut list = vec![
        Candidate {
            label: "stub".into(),
            file: exercise.stub(),
            expect: Expect::AllFail,
            overlay: None,
            shape: Vec::new(),
            cause: Ok(None),
            snapshot: None,
        },
        Candidate {
            label: "reference".into(),
            file: exercise.reference(),
            expect: Expect::AllPass,
            overlay: None,
            shape: Vec::new(),
            cause: Ok(None),
            snapshot: None,
        },
    ];
    for c in &list {
        if !root.join(&c.file).is_file() {
            bail!(
                "{}: the {} file {} is missing",
                exercise.id,
                c.label,
                c.file.display()
            );
        }
    }
    let dir = Path::new("solutions").join("mistakes");
    let prefix = format!("{}-", exercise.id);
    let mut mistakes: Vec<PathBuf> = match fs::read_dir(root.join(&dir)) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "rs")
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    mistakes.sort();
    let order = crate::engine::verdict::suite_order(root, exercise);
    for path in mistakes {
        let name = path.file_name().expect("a file").to_string_lossy();
        let what = name.trim_start_matches(&prefix).trim_end_matches(".rs");
        let file = dir.join(name.as_ref());
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", file.display()))?;
        let header = parse_header(&text).with_context(|| format!("{}", file.display()))?;
        list.push(Candidate {
            label: format!("mistake {what}"),
            expect: header.expect,
            overlay: header.overlay,
            shape: header.shape,
            cause: header.cause.map_err(|e| format!("{}: {e}", file.display())),
            snapshot: Some(Snapshot {
                kept: fs::read_to_string(root.join(diagnoses::path(&file))).ok(),
                accept: false,
                order: order.clone(),
            }),
            file,
        });
    }
    Ok(list)
}

/// What a mistake's header says.
#[derive(Debug, PartialEq, Eq)]
pub struct Header {
    pub expect: Expect,
    /// `None` for a `// Whole file` mistake.
    pub overlay: Option<overlay::Changes>,
    pub shape: Vec<Shape>,
    /// `// Cause: <id>`, or `None` for `// Cause: none`; or what is wrong
    /// with that line (missing, or not an id of the vocabulary).
    pub cause: Result<Option<Cause>, String>,
}

/// Reads the comment block at the top of a mistake file: `// Rejected by:
/// <test>`, `// Message contains: <text>`, `// Cause: <id>|none`, and
/// optionally `// Observed ...:`, `// Whole file` or `// Adds:` /
/// `// Removes:` (see `overlay`).
pub fn parse_header(text: &str) -> Result<Header> {
    let lines: Vec<&str> = text.lines().take_while(|l| l.starts_with("//")).collect();
    let mut test = None;
    let mut message = None;
    let mut whole = false;
    let mut shape = Vec::new();
    let mut cause = None;
    for line in &lines {
        let line = line.trim_start_matches('/').trim();
        if let Some(v) = line.strip_prefix("Observed peak:") {
            shape.push(Shape::Peak(v.trim().parse().with_context(|| {
                format!("`// Observed peak: {}` is not a number of lanes", v.trim())
            })?));
        } else if let Some(v) = line.strip_prefix("Observed busy:") {
            shape.extend(labels(v).map(Shape::Busy));
        } else if let Some(v) = line.strip_prefix("Observed empty:") {
            shape.extend(labels(v).map(Shape::Empty));
        } else if let Some(v) = line.strip_prefix("Cause:") {
            cause = Some(declared_cause(v.trim()));
        } else if let Some(v) = line.strip_prefix("Rejected by:") {
            test = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Message contains:") {
            message = Some(v.trim().to_string());
        } else if line == "Whole file" || line.starts_with("Whole file:") {
            whole = true;
        }
    }
    let expect = match (test, message) {
        (Some(test), Some(message)) if !test.is_empty() && !message.is_empty() => {
            Expect::Rejects { test, message }
        }
        _ => bail!(
            "the header must name the test that rejects this mistake and a part of its \
             message, e.g.\n  // Mistake: awaits one after another\n  // Rejected by: \
             uneven_sleeps_take_the_longest_delay\n  // Message contains: one after another"
        ),
    };
    let cause = cause.unwrap_or_else(|| {
        Err(format!(
            "the header has no `// Cause:` line. Every catalogued mistake declares the cause \
             its failing tests may assert, so `dev verify` can check that none asserts another: \
             add `// Cause: <id>` (the cause the mistake is an instance of) or `// Cause: none` \
             (when no test's evidence proves a cause). Ids: {}",
            vocabulary()
        ))
    });
    let overlay = (!whole).then(|| overlay::parse_changes(&lines));
    if whole && overlay::parse_changes(&lines) != overlay::Changes::default() {
        bail!(
            "a `// Whole file` mistake replaces the whole file: drop its `Adds:`/`Removes:` lines"
        );
    }
    Ok(Header {
        expect,
        overlay,
        shape,
        cause,
    })
}

/// `// Cause: <id>` or `// Cause: none`.
fn declared_cause(id: &str) -> Result<Option<Cause>, String> {
    if id == "none" {
        return Ok(None);
    }
    match Cause::from_id(id) {
        Some(cause) => Ok(Some(cause)),
        None => Err(format!(
            "`// Cause: {id}` is not in the vocabulary of causes (grading-protocol's `Cause`). \
             Write `// Cause: none` or one of: {}",
            vocabulary()
        )),
    }
}

/// Every cause id, in the vocabulary's order.
fn vocabulary() -> String {
    let ids: Vec<&str> = Cause::ALL.iter().map(|c| c.id()).collect();
    ids.join(", ")
}

fn labels(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_mistake_header() {
        let text = "// Mistake: x\n// Rejected by: some_test\n// Message contains: one after another\n// Cause: sequential\n\nuse std::time::Duration;\n";
        let header = parse_header(text).unwrap();
        assert_eq!(
            header.expect,
            Expect::Rejects {
                test: "some_test".into(),
                message: "one after another".into()
            }
        );
        assert_eq!(header.overlay, Some(overlay::Changes::default()));
        assert_eq!(header.cause, Ok(Some(Cause::Sequential)));
        let whole = parse_header(&format!("// Whole file\n{text}")).unwrap();
        assert_eq!(whole.overlay, None);
    }

    #[test]
    fn a_header_says_what_the_timeline_must_show() {
        use grading_protocol::{Clock, Timeline};
        use std::time::Duration;
        let text = "// Mistake: x\n// Rejected by: t\n// Message contains: m\n// Cause: none\n// Observed peak: 1\n// Observed busy: worker 1\n// Observed empty: worker 2, worker 3\n";
        let header = parse_header(text).unwrap();
        assert_eq!(
            header.shape,
            [
                Shape::Peak(1),
                Shape::Busy("worker 1".into()),
                Shape::Empty("worker 2".into()),
                Shape::Empty("worker 3".into())
            ]
        );
        let s = Duration::from_secs;
        let one_worker = Timeline::new("observed", Clock::Real)
            .lane("worker 1", &[(s(0), s(1)), (s(1), s(2))])
            .lane("worker 2", &[])
            .lane("worker 3", &[]);
        for shape in &header.shape {
            assert_eq!(shape.check(&one_worker), Ok(()), "{shape:?}");
        }
        let unseen = one_worker
            .clone()
            .lane_partly_seen("worker 5", &[(s(0), None)], s(2));
        assert_eq!(
            Shape::Busy("worker 5".into()).check(&unseen),
            Err("lane `worker 5` has no work seen to end".into()),
            "an end not seen is not busy"
        );
        let both = one_worker.clone().lane("worker 4", &[(s(0), s(1))]);
        assert!(Shape::Peak(1).check(&both).unwrap_err().contains("2 lanes"));
        assert!(Shape::Busy("worker 9".into())
            .check(&both)
            .unwrap_err()
            .contains("no lane"));
        assert!(parse_header(
            "// Rejected by: t\n// Message contains: m\n// Cause: none\n// Observed peak: many\n"
        )
        .is_err());
    }

    #[test]
    fn a_header_without_a_test_is_an_error() {
        let err = parse_header("// Mistake: x\nfn main() {}\n").unwrap_err();
        assert!(err.to_string().contains("Rejected by:"), "{err}");
    }

    #[test]
    fn every_mistake_declares_its_cause_from_the_vocabulary() {
        let head = "// Mistake: x\n// Rejected by: t\n// Message contains: m\n";
        let missing = parse_header(head).unwrap().cause.unwrap_err();
        assert!(missing.contains("no `// Cause:` line"), "{missing}");
        assert!(missing.contains("`// Cause: none`"), "{missing}");
        for cause in Cause::ALL {
            assert!(missing.contains(cause.id()), "{missing} lacks {cause}");
        }
        let unknown = parse_header(&format!("{head}// Cause: slow\n"))
            .unwrap()
            .cause
            .unwrap_err();
        assert!(
            unknown.contains("`// Cause: slow` is not in the vocabulary"),
            "{unknown}"
        );
        assert!(unknown.contains("blocking-in-async"), "{unknown}");
        let none = parse_header(&format!("{head}// Cause: none\n")).unwrap();
        assert_eq!(none.cause, Ok(None));
        let busy = parse_header(&format!("{head}// Cause:  busy-loop \n")).unwrap();
        assert_eq!(busy.cause, Ok(Some(Cause::BusyLoop)));
    }
}
