//! `checker dev remove`: the inverse of `dev new`. Takes an exercise out of
//! the course everywhere it lives (its crate, graded suite, reference, stub,
//! catalogued mistakes, `course.toml` entry, README row and mutation-testing
//! patterns) and regenerates the Classroom workflow, so that `dev check`
//! holds afterwards.
//!
//! Files are deleted, not moved aside: the course is a git repository, and
//! `git checkout -- .` (or `git restore`) brings an exercise back.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::engine::manifest::{Course, Exercise, FILE_NAME};

/// What `remove` changed, relative to the course root.
pub struct Removed {
    pub id: String,
    /// Files and folders deleted.
    pub deleted: Vec<PathBuf>,
    /// Files edited (the manifest, the README, the mutants configuration,
    /// the workflow).
    pub edited: Vec<PathBuf>,
}

/// Where mutation testing is configured; its patterns name exercise folders.
const MUTANTS_CONFIG: &str = ".cargo/mutants.toml";

pub fn remove_exercise(course: &Course, spelling: &str) -> Result<Removed> {
    let exercise = course.exercise(spelling)?.clone();
    if course.exercises.len() == 1 {
        bail!(
            "`{}` is the course's only exercise, and a course needs one: add the next one first \
             (`cargo run -- dev new <id> --title \"...\"`), then remove this one",
            exercise.id
        );
    }
    let root = &course.root;
    let mut deleted = Vec::new();
    for path in owned_paths(root, &exercise)? {
        let full = root.join(&path);
        let gone = if full.is_dir() {
            fs::remove_dir_all(&full)
        } else {
            fs::remove_file(&full)
        };
        gone.with_context(|| format!("cannot delete {}", full.display()))?;
        deleted.push(path);
    }

    let mut edited = Vec::new();
    edit(root, Path::new(FILE_NAME), &mut edited, |text| {
        Ok(without_entry(text, &exercise.id))
    })?;
    let folder = shown(&exercise.path);
    edit(root, Path::new("README.md"), &mut edited, |text| {
        Ok(without_lines(text, |line| {
            line.trim_start().starts_with('|') && line.contains(&format!("`{folder}`"))
                || line.contains(&format!("`{folder}/`"))
        }))
    })?;
    edit(root, Path::new(MUTANTS_CONFIG), &mut edited, |text| {
        Ok(without_lines(text, |line| {
            let pattern = line.trim_start();
            pattern.starts_with('\'') && pattern.contains(&format!("exercises/{}-", exercise.id))
        }))
    })?;

    // The workflow is generated from the manifest: write it from the course
    // as it is now.
    let after = Course::load(root)?;
    let workflow = crate::author::workflow::path();
    if root.join(&workflow).exists() {
        crate::author::workflow::run(&after, false)?;
        edited.push(workflow);
    }
    Ok(Removed {
        id: exercise.id,
        deleted,
        edited,
    })
}

/// The exercise's own files and folders that exist, relative to `root`.
fn owned_paths(root: &Path, exercise: &Exercise) -> Result<Vec<PathBuf>> {
    let suite = exercise.suite(root);
    let suite = if suite.file_name().is_some_and(|n| n == "main.rs") {
        suite.parent().map(Path::to_path_buf).unwrap_or(suite)
    } else {
        suite
    };
    let mut paths = vec![
        exercise.path.clone(),
        suite,
        exercise.reference(),
        exercise.stub(),
    ];
    // The mistakes, and the snapshots of what each shows a student.
    let mistakes = Path::new("solutions").join("mistakes");
    for (folder, extension) in [
        (mistakes.clone(), ".rs"),
        (mistakes.join("snapshots"), ".txt"),
    ] {
        let Ok(entries) = fs::read_dir(root.join(&folder)) else {
            continue;
        };
        let prefix = format!("{}-", exercise.id);
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(&prefix) && name.ends_with(extension))
            .map(|name| folder.join(name))
            .collect();
        found.sort();
        paths.extend(found);
    }
    paths.retain(|p| root.join(p).exists());
    Ok(paths)
}

/// Rewrites `relative` (if it exists) with `change`; notes it when changed.
fn edit(
    root: &Path,
    relative: &Path,
    edited: &mut Vec<PathBuf>,
    change: impl FnOnce(&str) -> Result<String>,
) -> Result<()> {
    let path = root.join(relative);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(());
    };
    let new = change(&text)?;
    if new != text {
        fs::write(&path, new).with_context(|| format!("cannot write {}", path.display()))?;
        edited.push(relative.to_path_buf());
    }
    Ok(())
}

fn without_lines(text: &str, drop: impl Fn(&str) -> bool) -> String {
    text.split_inclusive('\n').filter(|l| !drop(l)).collect()
}

/// The manifest without the `[[exercise]]` table of `id`, as text, so the
/// author's comments and layout elsewhere stay. A table's text runs from the
/// comment lines right above its header to the comments of the next table.
fn without_entry(text: &str, id: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_comment = |l: &str| l.trim_start().starts_with('#');
    let headers: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with('['))
        .collect();
    // Where each table's text starts: its header, or the comments above it.
    let starts: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(k, &h)| {
            let floor = if k == 0 { 0 } else { headers[k - 1] + 1 };
            let mut s = h;
            while s > floor && is_comment(lines[s - 1]) {
                s -= 1;
            }
            s
        })
        .collect();
    let mut out: String = lines[..starts.first().copied().unwrap_or(lines.len())].concat();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let table = lines[start..end].concat();
        let ours = lines[headers[k]].trim() == "[[exercise]]"
            && toml::from_str::<toml::Table>(&table)
                .ok()
                .and_then(|t| {
                    let entry = t.get("exercise")?.as_array()?.first()?.clone();
                    Some(entry.get("id")?.as_str()? == id)
                })
                .unwrap_or(false);
        if !ours {
            out.push_str(&table);
        }
    }
    // No run of blank lines left at the end by the last table going.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_goes_with_its_lines_and_the_comments_of_the_next_stay() {
        let text = "# The course.\n\n[[exercise]]\nid = \"ex01\"\ntitle = \"A\"\n\n\
                    # About ex02.\n[[exercise]]\nid = \"ex02\"\nhints = [\n  \"x\",\n]\n\n\
                    [[exercise]]\nid = \"ex03\"\n";
        let out = without_entry(text, "ex02");
        assert_eq!(
            out,
            "# The course.\n\n[[exercise]]\nid = \"ex01\"\ntitle = \"A\"\n\n\
             [[exercise]]\nid = \"ex03\"\n"
        );
        let first = without_entry(text, "ex01");
        assert!(first.starts_with("# The course.\n\n# About ex02.\n[[exercise]]\nid = \"ex02\""));
        assert!(without_entry(text, "ex03").ends_with("  \"x\",\n]\n"));
    }
}
