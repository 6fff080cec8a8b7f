//! `course.toml`: the course's single list of exercises.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

pub const FILE_NAME: &str = "course.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    #[serde(rename = "exercise", default)]
    exercises: Vec<Exercise>,
}

/// One exercise, as listed in the manifest.
#[derive(Debug, Clone, Deserialize)]
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
    pub fn suite(&self) -> PathBuf {
        Path::new("tests").join(format!("{}.rs", self.id))
    }
    pub fn reference(&self) -> PathBuf {
        Path::new("solutions").join(format!("{}.rs", self.id))
    }
    pub fn stub(&self) -> PathBuf {
        Path::new("solutions")
            .join("stubs")
            .join(format!("{}.rs", self.id))
    }
}

/// The course: its root folder and its exercises, in course order.
#[derive(Debug)]
pub struct Course {
    pub root: PathBuf,
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
        validate(&raw.exercises).with_context(|| format!("{} is not valid", file.display()))?;
        Ok(Course {
            root: root.to_path_buf(),
            exercises: raw.exercises,
        })
    }

    /// The exercise with this id, or an error listing the known ones.
    pub fn exercise(&self, id: &str) -> Result<&Exercise> {
        Ok(self.select(&[id.to_string()])?[0])
    }

    /// The exercises named by `only` (all when empty), in course order.
    pub fn select(&self, only: &[String]) -> Result<Vec<&Exercise>> {
        for id in only {
            if !self.exercises.iter().any(|e| &e.id == id) {
                let known: Vec<&str> = self.exercises.iter().map(|e| e.id.as_str()).collect();
                bail!(
                    "no exercise `{id}` in the course (known: {})",
                    known.join(", ")
                );
            }
        }
        Ok(self
            .exercises
            .iter()
            .filter(|e| only.is_empty() || only.contains(&e.id))
            .collect())
    }
}

fn validate(exercises: &[Exercise]) -> Result<()> {
    if exercises.is_empty() {
        bail!("it lists no exercise: add an [[exercise]] table");
    }
    let mut seen = HashSet::new();
    for e in exercises {
        let valid_id = !e.id.is_empty()
            && e.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_id {
            bail!(
                "exercise id `{}` must be a cargo package name (letters, digits, - and _)",
                e.id
            );
        }
        if e.limit_secs == 0 {
            bail!("exercise `{}`: limit_secs must be at least 1", e.id);
        }
        if !seen.insert(&e.id) {
            bail!("exercise id `{}` is listed twice", e.id);
        }
        let inside = e.path.is_relative()
            && e.path
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            bail!(
                "exercise `{}`: path `{}` must be a folder inside the repository (relative, no `..`)",
                e.id,
                e.path.display()
            );
        }
    }
    Ok(())
}
