//! `checker hint`: progressive hints, remembered per exercise.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::engine::manifest::{Course, Exercise};

/// How many hints each exercise has shown. Kept under `target/`, so it
/// never shows up in the student's `git status`.
fn state_file(course: &Course) -> PathBuf {
    course
        .root
        .join("target")
        .join("checker")
        .join("hints-shown.json")
}

fn load(course: &Course) -> BTreeMap<String, usize> {
    fs::read_to_string(state_file(course))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save(course: &Course, shown: &BTreeMap<String, usize>) {
    let file = state_file(course);
    // Losing hint progress is harmless: a failed write is not worth an error.
    if let Some(dir) = file.parent() {
        let _ = fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_string_pretty(shown) {
        let _ = fs::write(file, text);
    }
}

/// The text to print for `hint <id>` (`all`: every hint at once).
pub fn hint(course: &Course, exercise: &Exercise, all: bool) -> Result<String> {
    let hints = &exercise.hints;
    if hints.is_empty() {
        bail!("exercise {} has no hints in course.toml", exercise.id);
    }
    let numbered = |i: usize| {
        format!(
            "Hint {} of {} for {}:\n{}\n",
            i + 1,
            hints.len(),
            exercise.id,
            hints[i]
        )
    };
    if all {
        return Ok((0..hints.len())
            .map(numbered)
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let mut shown = load(course);
    let seen = shown.get(&exercise.id).copied().unwrap_or(0);
    let next = seen.min(hints.len() - 1);
    shown.insert(exercise.id.clone(), (seen + 1).min(hints.len()));
    save(course, &shown);
    let mut text = numbered(next);
    if next + 1 < hints.len() {
        text.push_str(&format!(
            "\nStill stuck? `cargo run -- hint {}` again gives the next one.\n",
            exercise.id
        ));
    } else {
        text.push_str("\nThat was the last hint.\n");
    }
    Ok(text)
}
