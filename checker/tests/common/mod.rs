//! Helpers shared by the checker's integration tests: pristine scratch
//! copies of the course, running the checker binary on them, and processes
//! that are killed whatever happens to the test.
//!
//! The tests test the course, never the student's progress: every scratch
//! copy is made by the checker's own `Scratch::sync`, so its student files are
//! the untouched stubs whatever state the student left theirs in. Builds use
//! the course's own target folder (the dependencies are built once); the
//! copies sit in a wrapper workspace, so their artifacts never replace the
//! student's (see `checker::engine::scratch`).
#![allow(dead_code)] // each test file uses a different subset

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process};
use std::sync::OnceLock;

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use checker::engine::manifest::Course;
use checker::engine::scratch::Scratch;
use tempfile::TempDir;

pub fn course_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the checker lives in the course")
        .to_path_buf()
}

/// The course's own target folder, shared by every build of the tests: the
/// one cargo builds into (`CARGO_TARGET_DIR` when it is set, e.g. by the
/// walkthrough's nested `cargo test`, else the course's target/).
pub fn course_target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .unwrap_or_else(|| course_root().join("target"))
}

/// A pristine copy of the course (stubs in every student file).
pub struct ScratchCourse {
    /// A temporary folder, removed when this is dropped (or none for the
    /// shared copy, which stays under target/ between runs).
    _dir: Option<TempDir>,
    root: PathBuf,
}

impl ScratchCourse {
    /// The copy's course root (where course.toml is).
    pub fn path(&self) -> &Path {
        &self.root
    }
}

fn sync(source: &Path, base: &Path) -> PathBuf {
    let course = Course::load(source)
        .unwrap_or_else(|e| panic!("{}/course.toml is valid: {e:#}", source.display()));
    Scratch::sync(&course, base, "course", &course_target())
        .expect("a scratch copy of the course")
        .course
}

/// The fixture course (`checker/tests/fixtures/course`: two toy exercises,
/// each with stub, reference, mistakes and suite), assembled with the
/// platform it needs (this repository's `crates/` and `Cargo.lock`) under
/// target/, once per test binary. The checker's tests work on it, so they
/// hold whatever exercises the real course has. Files are rewritten only
/// when they changed, so cargo rebuilds only what changed.
pub fn fixture_root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = course_target().join("test-fixture");
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut kept = Vec::new();
        mirror(&here.join("tests/fixtures/course"), &root, &mut kept);
        mirror(
            &course_root().join("crates"),
            &root.join("crates"),
            &mut kept,
        );
        // The lock of the workspace the tests were built in: the course's,
        // or the wrapper's around a scratch copy (the walkthrough's nested
        // `cargo test` runs in one).
        let lock = course_root()
            .ancestors()
            .map(|dir| dir.join("Cargo.lock"))
            .find(|lock| lock.is_file())
            .expect("a Cargo.lock beside the course or above it");
        mirror(&lock, &root.join("Cargo.lock"), &mut kept);
        prune_except(&root, &kept);
        root
    })
    .clone()
}

/// Copies `from` (a file or a folder) to `to`, writing only what differs.
fn mirror(from: &Path, to: &Path, kept: &mut Vec<PathBuf>) {
    kept.push(to.to_path_buf());
    if from.is_dir() {
        fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
        for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
            let entry = entry.expect("a readable entry");
            if entry.file_name() == "target" {
                continue;
            }
            mirror(&entry.path(), &to.join(entry.file_name()), kept);
        }
    } else {
        let content = fs::read(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        if fs::read(to).ok().as_deref() != Some(&content[..]) {
            fs::write(to, content).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
        }
    }
}

/// Removes what is under `root` and not in `kept` (files the fixture lost).
fn prune_except(root: &Path, kept: &[PathBuf]) {
    for entry in fs::read_dir(root).expect("the assembled fixture") {
        let path = entry.expect("a readable entry").path();
        if !kept.contains(&path) {
            if path.is_dir() {
                fs::remove_dir_all(&path).expect("a stale folder removed");
            } else {
                fs::remove_file(&path).expect("a stale file removed");
            }
        } else if path.is_dir() {
            prune_except(&path, kept);
        }
    }
}

/// A copy of the fixture course of its own, in a temporary folder: for tests
/// that build nothing.
pub fn fixture_course() -> ScratchCourse {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = sync(&fixture_root(), dir.path());
    ScratchCourse {
        _dir: Some(dir),
        root,
    }
}

/// The fixture course's copy for tests that build, made pristine again for
/// each test (see [`shared_scratch`]); such tests run one at a time (`#[serial]`).
pub fn shared_fixture(test_file: &str) -> ScratchCourse {
    let base = course_target()
        .join("test-scratch")
        .join(format!("fixture-{test_file}"));
    ScratchCourse {
        _dir: None,
        root: sync(&fixture_root(), &base),
    }
}

/// A copy of its own, in a temporary folder: for tests that build nothing.
/// (Copies share the names of their build artifacts; tests that build use
/// [`shared_scratch`], one at a time.)
pub fn scratch_course() -> ScratchCourse {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = sync(&course_root(), dir.path());
    ScratchCourse {
        _dir: Some(dir),
        root,
    }
}

/// The copy for tests that build, made pristine again for each test (only
/// what changed is rewritten, so cargo rebuilds only that). Tests using it
/// run one at a time (`#[serial]`).
pub fn shared_scratch(test_file: &str) -> ScratchCourse {
    let base = course_target().join("test-scratch").join(test_file);
    ScratchCourse {
        _dir: None,
        root: sync(&course_root(), &base),
    }
}

pub fn student_file(course: &Path, id: &str) -> PathBuf {
    let dir = fs::read_dir(course.join("exercises"))
        .expect("the copy has exercises/")
        .map(|e| e.expect("a readable entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{id}-")))
        })
        .unwrap_or_else(|| panic!("no exercise folder for {id}"));
    dir.join("src").join("lib.rs")
}

/// Puts `solutions/<solution>` (a reference or a mistake, laid over the
/// reference when it is an overlay) in place of `id`'s student file.
pub fn put(course: &Path, id: &str, solution: &str) {
    let text = if solution.starts_with("mistakes/") {
        let out = run(checker(course)
            .args(["dev", "verify", "--print"])
            .arg(course.join("solutions").join(solution)));
        assert_eq!(out.code, 0, "expanding {solution} failed: {}", out.stderr);
        out.stdout
    } else {
        fs::read_to_string(course.join("solutions").join(solution))
            .unwrap_or_else(|e| panic!("cannot read solutions/{solution}: {e}"))
    };
    fs::write(student_file(course, id), text).expect("the student file is writable");
}

/// The checker binary, in `course`, building into the course's target folder.
///
/// A proof run on a copy works in a scratch copy of its own, named after
/// the copy's folder: sharing the course's (`proof`) would replace the
/// course's proof, and its kept builds, with the copy's.
pub fn checker(course: &Path) -> Command {
    let mut cmd = cargo_bin_cmd!("checker");
    cmd.current_dir(course)
        .env("CHECKER_TARGET_DIR", course_target())
        .env_remove("NO_COLOR");
    if course == course_root() {
        cmd.env_remove("CHECKER_SCRATCH");
    } else {
        // A shared copy (under target/) by its test file's name; temporary
        // copies, which build nothing, share one name rather than leave a
        // new scratch copy behind on every run.
        let shared = course
            .parent()
            .filter(|dir| dir.starts_with(course_target()))
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy().into_owned());
        let name = shared.unwrap_or_else(|| "temporary".into());
        cmd.env("CHECKER_SCRATCH", format!("test-{name}"));
    }
    cmd
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the checker runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the checker with `args` in `course` and asserts it succeeds,
/// showing what it printed when it does not.
#[track_caller]
pub fn succeeds(course: &Path, args: &[&str]) -> Output {
    let out = run(checker(course).args(args));
    assert_eq!(
        out.code,
        0,
        "`checker {}` failed:\n{}\n{}",
        args.join(" "),
        out.stdout,
        out.stderr
    );
    out
}

/// The table rows, with the time and reuse columns (which vary) dropped.
pub fn rows(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .skip(1)
        .map(|l| {
            let mut words: Vec<&str> = l.split_whitespace().collect();
            if words.last() == Some(&"reused") {
                words.pop();
            }
            if words.last() == Some(&"s") {
                words.truncate(words.len() - 2);
            } else if words.last() == Some(&"-") {
                words.pop();
            }
            words.join(" ")
        })
        .collect()
}

/// Asserts that `text` contains `wanted`, saying what was expected and showing
/// what there was.
#[track_caller]
pub fn assert_contains(text: &str, wanted: &str, what: &str) {
    assert!(
        text.contains(wanted),
        "{what}: expected to find {wanted:?} in:\n{text}"
    );
}

#[track_caller]
pub fn assert_lacks(text: &str, unwanted: &str, what: &str) {
    assert!(
        !text.contains(unwanted),
        "{what}: expected NOT to find {unwanted:?} in:\n{text}"
    );
}

/// A child process that is killed (with its process group) when dropped, so
/// a failing test leaves nothing running.
pub struct Running(pub Child);

impl Running {
    pub fn spawn(cmd: &mut Process) -> Running {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(cmd, 0);
        Running(cmd.spawn().expect("the process starts"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Ok(pid) = i32::try_from(self.0.id()) {
            // SAFETY: kill(2) with a negative pid only sends a signal to the
            // group this test started.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Processes whose command line mentions `needle`, or that run in a folder
/// whose path does (a suite runs in its exercise's folder). Linux only; empty
/// elsewhere.
pub fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    let me = std::process::id().to_string();
    for entry in entries.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if pid == me {
            continue;
        }
        let Ok(cmdline) = fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let cwd = fs::read_link(entry.path().join("cwd"))
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        if text.contains(needle) || cwd.contains(needle) {
            found.push(format!("{pid}: {text} (in {cwd})"));
        }
    }
    found
}
