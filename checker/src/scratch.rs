//! A scratch copy of the course under `target/`, where candidate files are
//! swapped in and built without ever touching the student's files.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Folders never copied: build output and version control.
const SKIPPED: &[&str] = &["target", ".git"];

pub struct Scratch {
    /// The copy of the course.
    pub workspace: PathBuf,
    /// Its own cargo target folder: a `cargo test` running in the course
    /// holds the course's target lock, so the scratch copy cannot share it.
    pub target_dir: PathBuf,
    /// Where built test binaries are kept until they run.
    pub bins: PathBuf,
}

impl Scratch {
    /// Brings `<root>/target/<name>/` up to date with the course. Unchanged
    /// files keep their timestamps, so cargo rebuilds only what changed.
    pub fn sync(root: &Path, name: &str, target_dir: Option<&Path>) -> Result<Scratch> {
        let base = root.join("target").join(name);
        let scratch = Scratch {
            workspace: base.join("course"),
            target_dir: target_dir.map_or_else(|| base.join("target"), Path::to_path_buf),
            bins: base.join("bins"),
        };
        let mut kept = HashSet::new();
        copy_tree(root, &scratch.workspace, &mut kept).with_context(|| {
            format!("cannot copy the course to {}", scratch.workspace.display())
        })?;
        prune(&scratch.workspace, &kept)?;
        fs::create_dir_all(&scratch.bins)?;
        Ok(scratch)
    }

    /// Puts `content` in place of a file of the copy (e.g. a student file),
    /// always with a fresh timestamp. Cargo names the artifacts of path crates
    /// by their place in the workspace, so copies sharing a target folder
    /// share artifact names; only a timestamp newer than the last build
    /// guarantees cargo rebuilds from this content.
    pub fn write_fresh(&self, relative: &Path, content: &[u8]) -> Result<()> {
        let path = self.workspace.join(relative);
        fs::write(&path, content).with_context(|| format!("cannot write {}", path.display()))
    }
}

fn copy_tree(from: &Path, to: &Path, kept: &mut HashSet<PathBuf>) -> Result<()> {
    fs::create_dir_all(to)?;
    kept.insert(to.to_path_buf());
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&src, &dst, kept)?;
        } else if kind.is_file() {
            write_if_changed(&dst, &fs::read(&src)?)?;
            kept.insert(dst);
        }
    }
    Ok(())
}

fn write_if_changed(path: &Path, content: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, content).with_context(|| format!("cannot write {}", path.display()))
}

/// Removes what the course no longer has (a deleted exercise must not linger).
fn prune(dir: &Path, kept: &HashSet<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if kept.contains(&path) {
            if path.is_dir() {
                prune(&path, kept)?;
            }
        } else if path.is_dir() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}
