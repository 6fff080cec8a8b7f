//! Scratch copies of the course, where candidate files are swapped in and
//! built without ever touching the student's files.
//!
//! A scratch copy is *pristine*: every student file is the untouched stub,
//! whatever state the student left theirs in (solved, not compiling, deleted,
//! with `.bak` files beside it). The repository's own tests and `verify`
//! test the course, never the student's progress.
//!
//! A scratch copy also shares the course's target folder, so the
//! dependencies (tokio, reqwest, ...) are built once for the student and for
//! the proof. That needs care: cargo names the artifacts of the workspace's
//! own crates (ex01, grading) after their path *relative to the workspace
//! root*, so a copy laid out like the course would overwrite the student's
//! `ex01` artifacts with a candidate's, and cargo, which judges freshness by
//! timestamps, could then run one as the other. So the copy goes one folder
//! down, `<base>/<name>-<tag>/`, under a generated workspace manifest at
//! `<base>` that lists the same members with that prefix: every member's
//! relative path, and so its artifacts, differ from the student's and from
//! every other scratch copy's (the tag comes from `<base>`'s own path: two
//! copies must never share artifacts, since cargo records a source file
//! inside the target folder by its path relative to it, and would check one
//! copy's file for the other's build), while registry dependencies are
//! shared.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::engine::manifest::Course;

/// Entries never copied: build output and version control.
const SKIPPED: &[&str] = &["target", ".git"];

pub struct Scratch {
    /// The generated workspace around the copy (holds Cargo.toml and Cargo.lock).
    pub workspace: PathBuf,
    /// The copy of the course: `<workspace>/<name>`.
    pub course: PathBuf,
    /// The cargo target folder builds in the copy use.
    pub target_dir: PathBuf,
    /// Where built test binaries are kept (see `kept_bins`).
    pub bins: PathBuf,
}

impl Scratch {
    /// Brings the scratch copy `<base>/<name>` up to date with the course
    /// (unchanged files keep their timestamps, so cargo rebuilds only what
    /// changed), with every student file the untouched stub.
    pub fn sync(course: &Course, base: &Path, name: &str, target_dir: &Path) -> Result<Scratch> {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            bail!("a scratch copy's name is one folder name, not `{name}`");
        }
        fs::create_dir_all(base).with_context(|| format!("cannot create {}", base.display()))?;
        let tag = crate::engine::fingerprint::Fingerprint::new("scratch")
            .add_str(
                &base
                    .canonicalize()
                    .unwrap_or_else(|_| base.to_path_buf())
                    .to_string_lossy(),
            )
            .finish();
        let prefix = format!("{name}-{}", &tag[..8]);
        let scratch = Scratch {
            workspace: base.to_path_buf(),
            course: base.join(&prefix),
            target_dir: target_dir.to_path_buf(),
            bins: base.join("bins"),
        };
        let root = &course.root;
        let (text, lock) = course_manifest(root)?;
        let wrapper = wrap_manifest(&text, &prefix).with_context(|| {
            format!(
                "cannot read the workspace in {}",
                root.join("Cargo.toml").display()
            )
        })?;
        write_if_changed(&base.join("Cargo.toml"), wrapper.as_bytes())?;
        if let Some(lock) = lock {
            write_if_changed(&base.join("Cargo.lock"), &lock)?;
        }
        let mut kept = HashSet::new();
        // Left out: the course's own manifest and lock file (a second
        // workspace root inside the wrapper would be an error), and the
        // student files, whatever is in them (the stubs go there). The rest of
        // an exercise's src/ is copied: it may hold provided programs (ex11's
        // worker), and anything a student added there is compiled only if the
        // student file names it, which the stub does not.
        let mut skipped: HashSet<PathBuf> = ["Cargo.toml", "Cargo.lock"]
            .iter()
            .map(|f| root.join(f))
            .collect();
        skipped.extend(course.exercises.iter().map(|e| root.join(e.student_file())));
        copy_tree(root, &scratch.course, &skipped, &mut kept)
            .with_context(|| format!("cannot copy the course to {}", scratch.course.display()))?;
        for e in &course.exercises {
            let stub_path = root.join(e.stub());
            let stub = fs::read(&stub_path).with_context(|| {
                format!(
                    "cannot read the untouched stub {} (restore it, e.g. `git checkout -- {}`)",
                    e.stub().display(),
                    e.stub().display()
                )
            })?;
            let lib = scratch.course.join(e.student_file());
            write_if_changed(&lib, &stub)?;
            kept.insert(lib.parent().unwrap_or(&scratch.course).to_path_buf());
            kept.insert(lib);
        }
        prune(&scratch.course, &kept)?;
        // An older copy under another name would only take room.
        let mut around = HashSet::new();
        for entry in ["Cargo.toml", "Cargo.lock", "bins", &prefix] {
            around.insert(base.join(entry));
        }
        let mut files_around = HashSet::new();
        for entry in
            fs::read_dir(base).with_context(|| format!("cannot read {}", base.display()))?
        {
            let path = entry
                .with_context(|| format!("cannot read {}", base.display()))?
                .path();
            if !around.contains(&path) {
                files_around.insert(path);
            }
        }
        for path in files_around {
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.with_context(|| format!("cannot remove {}", path.display()))?;
        }
        fs::create_dir_all(&scratch.bins)
            .with_context(|| format!("cannot create {}", scratch.bins.display()))?;
        Ok(scratch)
    }

    /// Puts `content` in place of a file of the copy (e.g. a student file),
    /// always with a fresh timestamp: copies of one course share artifact
    /// names, so only a timestamp newer than the last build guarantees cargo
    /// rebuilds from this content.
    pub fn write_fresh(&self, relative: &Path, content: &[u8]) -> Result<()> {
        let path = self.course.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, content).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// A plain, pristine copy of the course at `dir` (its own workspace, with
/// its own target folder): for tools that need the course's layout as it is,
/// such as cargo-mutants, which reads `.cargo/mutants.toml` at the root.
pub fn sync_plain(course: &Course, dir: &Path) -> Result<PathBuf> {
    let root = &course.root;
    let mut kept = HashSet::new();
    let skipped: HashSet<PathBuf> = course
        .exercises
        .iter()
        .map(|e| root.join(e.student_file()))
        .collect();
    copy_tree(root, dir, &skipped, &mut kept)
        .with_context(|| format!("cannot copy the course to {}", dir.display()))?;
    for e in &course.exercises {
        let stub = fs::read(root.join(e.stub()))
            .with_context(|| format!("cannot read the untouched stub {}", e.stub().display()))?;
        let lib = dir.join(e.student_file());
        write_if_changed(&lib, &stub)?;
        kept.insert(lib.parent().unwrap_or(dir).to_path_buf());
        kept.insert(lib);
    }
    // The copy's own build output stays.
    kept.insert(dir.join("target"));
    prune(dir, &kept)?;
    Ok(dir.to_path_buf())
}

/// The course's workspace manifest and lock file. A course that is itself a
/// scratch copy has none of its own: its wrapper's is read back instead,
/// with the prefix taken off again.
fn course_manifest(root: &Path) -> Result<(String, Option<Vec<u8>>)> {
    let own = root.join("Cargo.toml");
    if own.is_file() {
        let text =
            fs::read_to_string(&own).with_context(|| format!("cannot read {}", own.display()))?;
        return Ok((text, fs::read(root.join("Cargo.lock")).ok()));
    }
    let (Some(outer), Some(prefix)) = (root.parent(), root.file_name()) else {
        bail!("{} is missing", own.display());
    };
    let wrapper = outer.join("Cargo.toml");
    let text = fs::read_to_string(&wrapper).with_context(|| {
        format!(
            "{} is missing (and no workspace wraps the course)",
            own.display()
        )
    })?;
    let prefix = prefix.to_string_lossy();
    Ok((
        unwrap_manifest(&text, &prefix)?,
        fs::read(outer.join("Cargo.lock")).ok(),
    ))
}

/// The inverse of [`wrap_manifest`].
pub fn unwrap_manifest(text: &str, prefix: &str) -> Result<String> {
    let with_slash = format!("{prefix}/");
    map_paths(text, &|path: &str| {
        path.strip_prefix(&with_slash).unwrap_or(path).to_string()
    })
}

/// The workspace manifest around a copy of the course in `prefix/`: the
/// course's own, with every path it names moved into `prefix/`.
pub fn wrap_manifest(text: &str, prefix: &str) -> Result<String> {
    let wrapped = map_paths(text, &|path: &str| format!("{prefix}/{path}"))?;
    Ok(format!(
        "# Generated by the checker: the workspace around a scratch copy of the\n\
         # course in {prefix}/ (see checker/src/engine/scratch.rs).\n{wrapped}"
    ))
}

/// The manifest with every path it names changed by `moved`.
fn map_paths(text: &str, moved: &dyn Fn(&str) -> String) -> Result<String> {
    let mut doc: toml::Table = toml::from_str(text)?;
    let Some(workspace) = doc.get_mut("workspace").and_then(|w| w.as_table_mut()) else {
        bail!("it has no [workspace] table");
    };
    for key in ["members", "exclude", "default-members"] {
        if let Some(list) = workspace.get_mut(key).and_then(|v| v.as_array_mut()) {
            for entry in list.iter_mut() {
                if let Some(path) = entry.as_str() {
                    *entry = toml::Value::String(moved(path));
                }
            }
        }
    }
    if let Some(deps) = workspace
        .get_mut("dependencies")
        .and_then(|v| v.as_table_mut())
    {
        move_paths(deps, moved);
    }
    if let Some(patches) = doc.get_mut("patch").and_then(|v| v.as_table_mut()) {
        for (_, registry) in patches.iter_mut() {
            if let Some(deps) = registry.as_table_mut() {
                move_paths(deps, moved);
            }
        }
    }
    Ok(toml::to_string(&doc)?)
}

fn move_paths(deps: &mut toml::Table, moved: &dyn Fn(&str) -> String) {
    for (_, dep) in deps.iter_mut() {
        if let Some(path) = dep.get_mut("path") {
            if let Some(p) = path.as_str() {
                *path = toml::Value::String(moved(p));
            }
        }
    }
}

fn copy_tree(
    from: &Path,
    to: &Path,
    skipped: &HashSet<PathBuf>,
    kept: &mut HashSet<PathBuf>,
) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    kept.insert(to.to_path_buf());
    let entries = fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let name = entry.file_name();
        let (src, dst) = (entry.path(), to.join(&name));
        if SKIPPED.iter().any(|s| name == *s) || skipped.contains(&src) {
            continue;
        }
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot read {}", src.display()))?;
        if kind.is_dir() {
            copy_tree(&src, &dst, skipped, kept)?;
        } else if kind.is_file() {
            let content =
                fs::read(&src).with_context(|| format!("cannot read {}", src.display()))?;
            write_if_changed(&dst, &content)?;
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
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(path, content).with_context(|| format!("cannot write {}", path.display()))
}

/// Removes what the course no longer has (a deleted exercise must not linger).
fn prune(dir: &Path, kept: &HashSet<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read {}", dir.display()))?
            .path();
        let result = if kept.contains(&path) {
            if path.is_dir() && !path.ends_with("target") {
                prune(&path, kept)
            } else {
                Ok(())
            }
        } else if path.is_dir() {
            fs::remove_dir_all(&path).with_context(|| format!("cannot remove {}", path.display()))
        } else {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))
        };
        result?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A course of two exercises, in `root`.
    fn tiny_course(root: &Path) -> Course {
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"exercises/*\"]\n[workspace.dependencies]\ngrading = { path = \"crates/grading\" }\n",
        );
        write(
            "course.toml",
            "[[exercise]]\nid = \"ex01\"\ntitle = \"A\"\npath = \"exercises/ex01-a\"\npoints = 1\n\n\
             [[exercise]]\nid = \"ex02\"\ntitle = \"B\"\npath = \"exercises/ex02-b\"\npoints = 1\n",
        );
        for (id, dir) in [("ex01", "ex01-a"), ("ex02", "ex02-b")] {
            write(&format!("exercises/{dir}/Cargo.toml"), "[package]\n");
            write(
                &format!("exercises/{dir}/src/lib.rs"),
                &format!("// stub of {id}\n"),
            );
            write(
                &format!("solutions/stubs/{id}.rs"),
                &format!("// stub of {id}\n"),
            );
        }
        write("exercises/ex01-a/src/bin/provided.rs", "fn main() {}\n");
        Course::load(root).unwrap()
    }

    #[test]
    fn a_copy_is_pristine_whatever_the_student_left() {
        let source = tempfile::tempdir().unwrap();
        let course = tiny_course(source.path());
        // A student's clone: one exercise solved (with a backup), one deleted.
        fs::write(
            source.path().join("exercises/ex01-a/src/lib.rs"),
            "// solved\n",
        )
        .unwrap();
        fs::write(
            source.path().join("exercises/ex01-a/src/lib.rs.bak"),
            "// old\n",
        )
        .unwrap();
        fs::remove_file(source.path().join("exercises/ex02-b/src/lib.rs")).unwrap();
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("target");
        let scratch = Scratch::sync(&course, &base.path().join("scratch"), "t", &target).unwrap();
        let read = |p: &str| fs::read_to_string(scratch.course.join(p)).unwrap();
        assert_eq!(read("exercises/ex01-a/src/lib.rs"), "// stub of ex01\n");
        assert_eq!(read("exercises/ex02-b/src/lib.rs"), "// stub of ex02\n");
        assert_eq!(
            read("exercises/ex01-a/src/bin/provided.rs"),
            "fn main() {}\n",
            "provided files stay"
        );
        assert!(
            !scratch.course.join("Cargo.toml").exists(),
            "the wrapper holds the workspace"
        );
        let wrapper = fs::read_to_string(scratch.workspace.join("Cargo.toml")).unwrap();
        assert!(wrapper.contains("t-"), "members are prefixed: {wrapper}");
        // A copy of the copy works the same (the checker's tests do that).
        let again = Course::load(&scratch.course).unwrap();
        let inner = Scratch::sync(&again, &base.path().join("inner"), "u", &target).unwrap();
        assert!(fs::read_to_string(inner.workspace.join("Cargo.toml"))
            .unwrap()
            .contains("u-"));
    }

    #[test]
    fn the_wrapper_moves_every_path_into_the_copy() {
        let text = r#"
[workspace]
resolver = "2"
members = ["checker", "exercises/*"]
default-members = ["checker"]

[workspace.dependencies]
tokio = { version = "1", features = ["rt"] }
grading = { path = "crates/grading" }

[patch.crates-io]
foo = { path = "vendor/foo" }

[profile.dev]
debug = "line-tables-only"
"#;
        let wrapped: toml::Table = toml::from_str(&wrap_manifest(text, "proof").unwrap()).unwrap();
        let ws = &wrapped["workspace"];
        assert_eq!(
            ws["members"].as_array().unwrap()[1].as_str(),
            Some("proof/exercises/*")
        );
        assert_eq!(
            ws["default-members"].as_array().unwrap()[0].as_str(),
            Some("proof/checker")
        );
        assert_eq!(
            ws["dependencies"]["grading"]["path"].as_str(),
            Some("proof/crates/grading")
        );
        assert!(ws["dependencies"]["tokio"].get("path").is_none());
        assert_eq!(
            wrapped["patch"]["crates-io"]["foo"]["path"].as_str(),
            Some("proof/vendor/foo")
        );
        assert_eq!(
            wrapped["profile"]["dev"]["debug"].as_str(),
            Some("line-tables-only")
        );
        let unwrapped: toml::Table = toml::from_str(
            &unwrap_manifest(&wrap_manifest(text, "proof").unwrap(), "proof").unwrap(),
        )
        .unwrap();
        assert_eq!(
            unwrapped,
            toml::from_str::<toml::Table>(text).unwrap(),
            "unwrap undoes wrap"
        );
    }
}
