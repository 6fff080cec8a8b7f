//! Test binaries kept between proofs, so that a proof run again (with
//! `--fresh`, or under `--load`) re-runs the suites without building again
//! what has not changed.
//!
//! Each binary is kept under the fingerprint of everything that goes into it
//! (`fingerprint::binary_key`), in a folder of the scratch copy's `bins`
//! for each course root: copies of the course (the checker's own tests make
//! some) share the scratch copy, not each other's binaries. What is kept
//! stays bounded: a proof removes the binaries of the exercises it checks
//! that it did not plan, and the folders of course roots that are gone.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::engine::fingerprint::Fingerprint;

/// Names the course root a folder of kept binaries belongs to.
const ROOT_FILE: &str = "course-root";

/// The kept test binaries of one course.
pub struct KeptBins {
    dir: PathBuf,
}

impl KeptBins {
    /// The folder for the binaries of the course at `course_root`, inside
    /// `bins` (created if need be).
    pub fn open(bins: &Path, course_root: &Path) -> Result<KeptBins> {
        let root = course_root
            .canonicalize()
            .unwrap_or_else(|_| course_root.to_path_buf());
        let tag = Fingerprint::new("kept binaries")
            .add_str(&root.to_string_lossy())
            .finish();
        let dir = bins.join(format!("course-{tag}"));
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let root_file = dir.join(ROOT_FILE);
        let root_text = root.to_string_lossy();
        if fs::read_to_string(&root_file).ok().as_deref() != Some(&*root_text) {
            fs::write(&root_file, root_text.as_bytes())
                .with_context(|| format!("cannot write {}", root_file.display()))?;
        }
        Ok(KeptBins { dir })
    }

    /// Where the test binary of exercise `id` with binary key `key` is kept.
    pub fn path(&self, id: &str, key: &str) -> PathBuf {
        self.dir.join(format!("{id}-{key}"))
    }

    /// Copies a built test binary to `kept` (a [`KeptBins::path`]), whole
    /// or not at all: under another name first, renamed when complete (a
    /// copy cut short by Ctrl-C must not pass for a kept binary; a suite
    /// still running an older file keeps it).
    pub fn keep(exe: &Path, kept: &Path) -> Result<()> {
        let partial = kept.with_extension("partial");
        fs::copy(exe, &partial).with_context(|| format!("cannot copy {}", exe.display()))?;
        fs::rename(&partial, kept).with_context(|| format!("cannot write {}", kept.display()))
    }

    /// Removes what no proof of this course will run again: the binaries of
    /// the exercises `checked` that are not `wanted` (the candidate or what
    /// goes into it changed, or it is gone), those of exercises not
    /// `in_course`, and anything else in this course's folder; and, around
    /// it in `bins`, the folders of course roots that no longer exist and
    /// loose files (left by older checkers).
    pub fn prune(
        &self,
        checked: &BTreeSet<&str>,
        in_course: &BTreeSet<&str>,
        wanted: &BTreeSet<PathBuf>,
    ) -> Result<()> {
        for path in entries(&self.dir)? {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            if name == ROOT_FILE || wanted.contains(&path) {
                continue;
            }
            // `<id>-<key>`; a `.partial` copy was cut short.
            let id = name.rsplit_once('-').map_or("", |(id, _)| id);
            let other_exercise = !checked.contains(id) && in_course.contains(id);
            if other_exercise && !name.ends_with(".partial") {
                continue;
            }
            remove(&path)?;
        }
        let Some(bins) = self.dir.parent() else {
            return Ok(());
        };
        for path in entries(bins)? {
            if path == self.dir {
                continue;
            }
            let gone = !path.is_dir()
                || fs::read_to_string(path.join(ROOT_FILE))
                    .map_or(true, |root| !Path::new(&root).join("course.toml").is_file());
            if gone {
                remove(&path)?;
            }
        }
        Ok(())
    }
}

fn entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        paths.push(
            entry
                .with_context(|| format!("cannot read {}", dir.display()))?
                .path(),
        );
    }
    Ok(paths)
}

fn remove(path: &Path) -> Result<()> {
    let removed = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    removed.with_context(|| format!("cannot remove {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_keeps_only_what_it_will_run_again() {
        let dir = tempfile::tempdir().unwrap();
        let bins = dir.path().join("bins");
        let course = dir.path().join("course");
        let copy = dir.path().join("copy");
        for root in [&course, &copy] {
            fs::create_dir_all(root).unwrap();
            fs::write(root.join("course.toml"), "").unwrap();
        }
        let kept = KeptBins::open(&bins, &course).unwrap();
        let of_copy = KeptBins::open(&bins, &copy).unwrap();
        let exe = dir.path().join("built");
        fs::write(&exe, "binary").unwrap();
        let names = [
            ("ex01", "aaaa"),
            ("ex01", "bbbb"),
            ("ex02", "cccc"),
            ("ex09", "dddd"),
        ];
        for (id, key) in names {
            KeptBins::keep(&exe, &kept.path(id, key)).unwrap();
            KeptBins::keep(&exe, &of_copy.path(id, key)).unwrap();
        }
        assert_eq!(fs::read(kept.path("ex01", "aaaa")).unwrap(), b"binary");
        fs::write(kept.path("ex02", "eeee").with_extension("partial"), "cut").unwrap();
        fs::write(bins.join("ex01-0"), "an older checker's").unwrap();
        let gone = KeptBins::open(&bins, &dir.path().join("gone")).unwrap();
        KeptBins::keep(&exe, &gone.path("ex01", "ffff")).unwrap();

        // A proof of ex01 that planned one of its two binaries; ex02 is in
        // the course but not checked; ex09 is no longer in the course.
        let checked = BTreeSet::from(["ex01"]);
        let in_course = BTreeSet::from(["ex01", "ex02"]);
        let wanted = BTreeSet::from([kept.path("ex01", "aaaa")]);
        kept.prune(&checked, &in_course, &wanted).unwrap();

        assert!(kept.path("ex01", "aaaa").is_file(), "planned");
        assert!(!kept.path("ex01", "bbbb").exists(), "checked, not planned");
        assert!(kept.path("ex02", "cccc").is_file(), "not checked this time");
        assert!(
            !kept.path("ex09", "dddd").exists(),
            "no longer in the course"
        );
        assert!(
            !kept.path("ex02", "eeee").with_extension("partial").exists(),
            "a copy cut short"
        );
        assert!(!bins.join("ex01-0").exists(), "an older checker's");
        assert!(!gone.path("ex01", "ffff").exists(), "its course is gone");
        for (id, key) in names {
            assert!(of_copy.path(id, key).is_file(), "another course's");
        }
    }
}
