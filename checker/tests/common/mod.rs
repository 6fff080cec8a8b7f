//! Helpers shared by the checker's integration tests: scratch copies of the
//! course and running the checker binary on them.
#![allow(dead_code)] // each test file uses a different subset

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use tempfile::TempDir;

pub fn course_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the checker lives in the course")
        .to_path_buf()
}

/// Shared with `checker verify`'s own scratch build, so the dependencies
/// compile once.
pub fn shared_target() -> PathBuf {
    course_root().join("target").join("verify").join("target")
}

/// A copy of the course without build output or history.
pub fn scratch_course() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_tree(&course_root(), dir.path());
    dir
}

pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(&name));
        } else {
            fs::write(to.join(&name), fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

pub fn student_file(course: &Path, id: &str) -> PathBuf {
    let dir = fs::read_dir(course.join("exercises"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{id}-"))
        })
        .expect("the exercise exists");
    dir.join("src").join("lib.rs")
}

pub fn put(course: &Path, id: &str, solution: &str) {
    let text = fs::read_to_string(course.join("solutions").join(solution)).unwrap();
    fs::write(student_file(course, id), text).unwrap();
}

pub fn checker(course: &Path) -> Command {
    let mut cmd = cargo_bin_cmd!("checker");
    cmd.current_dir(course)
        .env("CHECKER_TARGET_DIR", shared_target())
        .env_remove("NO_COLOR");
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

/// The table rows, with the time column (which varies) dropped.
pub fn rows(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .skip(1)
        .map(|l| {
            let mut words: Vec<&str> = l.split_whitespace().collect();
            if words.last() == Some(&"s") {
                words.truncate(words.len() - 2);
            }
            words.join(" ")
        })
        .collect()
}
