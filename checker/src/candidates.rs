//! The files `verify` grades for each exercise: the untouched stub, the
//! reference solution and the catalogued mistakes.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::manifest::Exercise;

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
}

/// Lists an exercise's candidates. A missing file or a malformed mistake
/// header is an error naming the file and what to write.
pub fn for_exercise(root: &Path, exercise: &Exercise) -> Result<Vec<Candidate>> {
    let mut list = vec![
        Candidate {
            label: "stub".into(),
            file: exercise.stub(),
            expect: Expect::AllFail,
        },
        Candidate {
            label: "reference".into(),
            file: exercise.reference(),
            expect: Expect::AllPass,
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
    for path in mistakes {
        let name = path.file_name().expect("a file").to_string_lossy();
        let what = name.trim_start_matches(&prefix).trim_end_matches(".rs");
        let file = dir.join(name.as_ref());
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", file.display()))?;
        list.push(Candidate {
            label: format!("mistake {what}"),
            expect: parse_header(&text).with_context(|| format!("{}", file.display()))?,
            file,
        });
    }
    Ok(list)
}

/// Reads `// Rejected by: <test>` and `// Message contains: <text>` from the
/// comment block at the top of a mistake file.
pub fn parse_header(text: &str) -> Result<Expect> {
    let mut test = None;
    let mut message = None;
    for line in text.lines().take_while(|l| l.starts_with("//")) {
        let line = line.trim_start_matches('/').trim();
        if let Some(v) = line.strip_prefix("Rejected by:") {
            test = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Message contains:") {
            message = Some(v.trim().to_string());
        }
    }
    match (test, message) {
        (Some(test), Some(message)) if !test.is_empty() && !message.is_empty() => {
            Ok(Expect::Rejects { test, message })
        }
        _ => bail!(
            "the header must name the test that rejects this mistake and a part of its \
             message, e.g.\n  // Mistake: awaits one after another\n  // Rejected by: \
             uneven_sleeps_take_the_longest_delay\n  // Message contains: one after another"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_mistake_header() {
        let text = "// Mistake: x\n// Rejected by: some_test\n// Message contains: one after another\n\nuse std::time::Duration;\n";
        assert_eq!(
            parse_header(text).unwrap(),
            Expect::Rejects {
                test: "some_test".into(),
                message: "one after another".into()
            }
        );
    }

    #[test]
    fn a_header_without_a_test_is_an_error() {
        let err = parse_header("// Mistake: x\nfn main() {}\n").unwrap_err();
        assert!(err.to_string().contains("Rejected by:"), "{err}");
    }
}
