//! `course.toml`: the course's list of exercises, in course order, and
//! everything the checker knows about each.

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

pub const FILE_NAME: &str = "course.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    #[serde(default)]
    course: CourseInfo,
    #[serde(rename = "exercise", default)]
    exercises: Vec<toml::Spanned<Exercise>>,
}

/// The course as a whole (`[course]` in the manifest): what the checker and
/// the reports call it, and what they say at the start and at the end. A
/// fork sets its own; nothing about this course is written in the checker.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseInfo {
    /// Shown in reports and pages, e.g. "Racing futures" (CONTRIBUTING's walkthrough).
    #[serde(default = "default_title")]
    pub title: String,
    /// Shown once, while no exercise is started.
    #[serde(default)]
    pub welcome: String,
    /// Shown when every exercise is solved.
    #[serde(default, rename = "final")]
    pub final_message: String,
}

impl Default for CourseInfo {
    fn default() -> CourseInfo {
        CourseInfo {
            title: default_title(),
            welcome: String::new(),
            final_message: String::new(),
        }
    }
}

fn default_title() -> String {
    "The course".to_string()
}

/// One exercise, as listed in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// The cargo package and the stem of its files (`tests/<id>.rs`, ...).
    pub id: String,
    pub title: String,
    /// The exercise crate, relative to the repository root.
    pub path: PathBuf,
    /// One line: what the exercise teaches.
    #[serde(default)]
    pub topic: String,
    /// The course checklist items this exercise proves, once solved.
    #[serde(default)]
    pub checklist: Vec<String>,
    /// Progressive hints: a nudge, then the idiom, then a near-solution.
    #[serde(default)]
    pub hints: Vec<String>,
    /// What solving it is worth in reports (a positive whole number).
    pub points: u32,
    /// Real time the whole suite may take before it counts as hung.
    #[serde(default = "default_limit")]
    pub limit_secs: u64,
    /// Run this suite alone: its checks use the real clock (e.g. real HTTP),
    /// so a neighbour competing for the CPU could distort them.
    #[serde(default)]
    pub exclusive: bool,
}

fn default_limit() -> u64 {
    60
}

impl Exercise {
    /// The one file the student edits, relative to the root.
    pub fn student_file(&self) -> PathBuf {
        self.path.join("src").join("lib.rs")
    }
    /// The graded suite: `tests/<id>/main.rs` (with its modules beside it)
    /// when the folder exists, else the single file `tests/<id>.rs`.
    pub fn suite(&self, root: &Path) -> PathBuf {
        let folder = Path::new("tests").join(&self.id);
        if root.join(&folder).is_dir() {
            folder.join("main.rs")
        } else {
            Path::new("tests").join(format!("{}.rs", self.id))
        }
    }
    pub fn reference(&self) -> PathBuf {
        Path::new("solutions").join(format!("{}.rs", self.id))
    }
    pub fn stub(&self) -> PathBuf {
        Path::new("solutions")
            .join("stubs")
            .join(format!("{}.rs", self.id))
    }

    /// The suite's files, relative to `root`: `tests/<id>.rs`, or every `.rs`
    /// file of the folder `tests/<id>/` (its `main.rs` first), whichever exists.
    pub fn suite_files(&self, root: &Path) -> Vec<PathBuf> {
        let suite = self.suite(root);
        if suite.file_name().is_some_and(|n| n == "main.rs") {
            let mut files = vec![suite.clone()];
            let mut others = crate::engine::fingerprint::files_under(
                root,
                suite.parent().unwrap_or(Path::new("tests")),
            );
            others.retain(|f| f != &suite && f.extension().is_some_and(|x| x == "rs"));
            files.extend(others);
            files
        } else {
            vec![suite]
        }
    }
}

/// The course: its root folder and its exercises, in course order.
#[derive(Debug)]
pub struct Course {
    pub root: PathBuf,
    pub info: CourseInfo,
    pub exercises: Vec<Exercise>,
}

impl Course {
    /// Finds `course.toml` in `start` or a folder above it, and reads it.
    pub fn discover(start: &Path) -> Result<Course> {
        let root = start
            .ancestors()
            .find(|dir| dir.join(FILE_NAME).is_file())
            .with_context(|| {
                format!(
                    "no {FILE_NAME} in {} or any folder above it: run the checker inside the \
                     course repository",
                    start.display()
                )
            })?;
        Course::load(root)
    }

    pub fn load(root: &Path) -> Result<Course> {
        let file = root.join(FILE_NAME);
        let text =
            fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let raw: RawCourse =
            toml::from_str(&text).with_context(|| format!("{} is not valid", file.display()))?;
        for (i, entry) in raw.exercises.iter().enumerate() {
            let line = text[..entry.span().start].matches('\n').count() + 1;
            validate(root, entry.as_ref(), &raw.exercises[..i]).with_context(|| {
                format!(
                    "{}:{line}: the [[exercise]] entry `{}` is not valid",
                    file.display(),
                    entry.as_ref().id
                )
            })?;
        }
        if raw.exercises.is_empty() {
            bail!(
                "{} lists no exercise: add an [[exercise]] table",
                file.display()
            );
        }
        if raw.course.title.trim().is_empty() {
            bail!(
                "{}: [course] title is empty: name the course, e.g. title = \"Async in Rust\"",
                file.display()
            );
        }
        Ok(Course {
            root: root.to_path_buf(),
            info: raw.course,
            exercises: raw
                .exercises
                .into_iter()
                .map(toml::Spanned::into_inner)
                .collect(),
        })
    }

    /// The exercise a student means: its id, or an obvious spelling of it
    /// (`4`, `04`, `ex4`, `EX04` for `ex04`); otherwise an error listing the
    /// known ids.
    pub fn exercise(&self, spelling: &str) -> Result<&Exercise> {
        if let Some(e) = self.exercises.iter().find(|e| e.id == spelling) {
            return Ok(e);
        }
        let wanted = number_of(spelling);
        let matches: Vec<&Exercise> = self
            .exercises
            .iter()
            .filter(|e| wanted.is_some() && number_of(&e.id) == wanted)
            .collect();
        if let [only] = matches.as_slice() {
            return Ok(only);
        }
        let known: Vec<&str> = self.exercises.iter().map(|e| e.id.as_str()).collect();
        bail!(
            "no exercise `{spelling}` in the course (known: {})",
            known.join(", ")
        )
    }

    /// The exercises named by `only` (all when empty), in course order.
    pub fn select(&self, only: &[String]) -> Result<Vec<&Exercise>> {
        let mut wanted = Vec::new();
        for spelling in only {
            wanted.push(self.exercise(spelling)?.id.clone());
        }
        Ok(self
            .exercises
            .iter()
            .filter(|e| wanted.is_empty() || wanted.contains(&e.id))
            .collect())
    }
}

/// The number in an id spelled `ex04`, `ex4`, `04` or `4` (any case).
fn number_of(spelling: &str) -> Option<u64> {
    let lower = spelling.trim().to_ascii_lowercase();
    let digits = lower.strip_prefix("ex").unwrap_or(&lower);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Checks one entry, given the entries before it; says what to fix.
fn validate(root: &Path, e: &Exercise, before: &[toml::Spanned<Exercise>]) -> Result<()> {
    let valid_id = !e.id.is_empty()
        && e.id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_id {
        bail!("its id must be a cargo package name (letters, digits, - and _), like \"ex14\"");
    }
    if before.iter().any(|b| b.as_ref().id == e.id) {
        bail!("its id is already used by an entry above: ids must be unique");
    }
    if e.points == 0 {
        bail!("points must be a positive whole number, e.g. `points = 10`");
    }
    if e.limit_secs == 0 {
        bail!("limit_secs must be at least 1 (or leave it out for the default of 60)");
    }
    let inside = e.path.is_relative()
        && e.path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        bail!(
            "path `{}` must be a folder inside the repository (relative, no `..`)",
            e.path.display()
        );
    }
    if !root.join(&e.path).join("Cargo.toml").is_file() {
        bail!(
            "its folder {} is missing or has no Cargo.toml: fix `path`, restore the folder \
             (e.g. `git checkout -- {}`), or remove the entry",
            e.path.display(),
            e.path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(ids: &[&str]) -> Course {
        Course {
            root: PathBuf::from("/course"),
            info: CourseInfo::default(),
            exercises: ids
                .iter()
                .map(|id| Exercise {
                    id: id.to_string(),
                    title: String::new(),
                    path: PathBuf::from(format!("exercises/{id}")),
                    topic: String::new(),
                    checklist: Vec::new(),
                    hints: Vec::new(),
                    points: 1,
                    limit_secs: 60,
                    exclusive: false,
                })
                .collect(),
        }
    }

    #[test]
    fn obvious_spellings_name_an_exercise() {
        let c = course(&["ex03", "ex04", "ex14"]);
        for spelling in ["ex04", "4", "04", "ex4", "EX04", " 4 "] {
            assert_eq!(c.exercise(spelling).unwrap().id, "ex04", "{spelling:?}");
        }
        assert_eq!(c.select(&["14".into(), "3".into()]).unwrap().len(), 2);
    }

    #[test]
    fn an_unknown_spelling_lists_the_known_ids() {
        let c = course(&["ex03", "ex04"]);
        let err = c.exercise("5").unwrap_err().to_string();
        assert!(
            err.contains("no exercise `5`") && err.contains("ex03, ex04"),
            "{err}"
        );
        assert!(c.exercise("x4").is_err());
    }
}
