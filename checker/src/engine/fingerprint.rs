//! Content fingerprints: what decides a verdict, hashed. A verdict is reused
//! only while its fingerprint is unchanged, and the student's file is judged
//! changed by its content, never by its timestamp (a file restored with `mv`
//! keeps an old timestamp).
//!
//! std's `DefaultHasher` is enough: fingerprints only ever compare with
//! fingerprints made by the same checker build (the checker's own identity
//! is part of every key), and a cache miss costs a rebuild, never a wrong
//! verdict.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::engine::manifest::{Course, Exercise};

/// A fingerprint under construction.
#[derive(Default)]
pub struct Fingerprint(DefaultHasher);

impl Fingerprint {
    pub fn new(kind: &str) -> Fingerprint {
        let mut f = Fingerprint::default();
        f.add_str(kind);
        f
    }

    pub fn add_str(&mut self, text: &str) -> &mut Self {
        text.hash(&mut self.0);
        self
    }

    pub fn add_bytes(&mut self, bytes: &[u8]) -> &mut Self {
        bytes.hash(&mut self.0);
        self
    }

    /// Each file's path (relative, with `/`) and content; a missing file
    /// counts as missing, which is a content too.
    pub fn add_files(&mut self, root: &Path, files: &[PathBuf]) -> &mut Self {
        for file in files {
            self.add_str(&file.to_string_lossy().replace('\\', "/"));
            match fs::read(root.join(file)) {
                Ok(bytes) => self.add_bytes(&bytes),
                Err(_) => self.add_str("(missing)"),
            };
        }
        self
    }

    pub fn finish(&self) -> String {
        format!("{:016x}", self.0.finish())
    }
}

/// Every file under `dir` (relative to `root`), sorted, skipping `target`
/// folders and hidden entries.
pub fn files_under(root: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(root, dir, &mut files);
    files.sort();
    files
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if name_text.starts_with('.') || name_text == "target" {
            continue;
        }
        let relative = dir.join(&name);
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(root, &relative, files),
            Ok(t) if t.is_file() => files.push(relative),
            _ => {}
        }
    }
}

/// The files of the student's crate that the compiler reads: every `.rs`
/// under `src/` (a `lib.rs.bak` is not one), and the crate's manifest.
pub fn student_files(root: &Path, exercise: &Exercise) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = files_under(root, &exercise.path.join("src"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.push(exercise.path.join("Cargo.toml"));
    files
}

/// The fingerprint of the student's own files of `exercise`.
pub fn student_content(root: &Path, exercise: &Exercise) -> String {
    Fingerprint::new("student")
        .add_files(root, &student_files(root, exercise))
        .finish()
}

/// What every verdict of the course depends on besides the exercise's own
/// files: the graders' shared crates, the workspace manifest and lock file,
/// the toolchain and the checker itself.
pub fn shared(course: &Course) -> String {
    let root = &course.root;
    // The grading platform's crates (`grading`, `grading-protocol`, and any
    // a course adds there): every suite may use them.
    let mut files = files_under(root, Path::new("crates"));
    for f in [
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        ".cargo/config",
    ] {
        files.push(PathBuf::from(f));
    }
    Fingerprint::new("shared")
        .add_files(root, &files)
        .add_str(toolchain())
        .add_str(&checker_identity())
        .finish()
}

/// The fingerprint of everything that decides `exercise`'s verdict: its
/// student files, its suite, what all exercises share, and the time limit.
pub fn verdict_key(course: &Course, exercise: &Exercise, shared: &str, limit_secs: u64) -> String {
    let root = &course.root;
    Fingerprint::new("verdict")
        .add_str(shared)
        .add_str(&exercise.id)
        .add_files(root, &student_files(root, exercise))
        .add_files(root, &exercise.suite_files(root))
        .add_str(&limit_secs.to_string())
        .finish()
}

/// `rustc -vV` of the toolchain cargo uses (asked once per run).
pub fn toolchain() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let rustc = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .and_then(|cargo| {
                let sibling =
                    cargo.with_file_name(format!("rustc{}", std::env::consts::EXE_SUFFIX));
                sibling.is_file().then_some(sibling)
            })
            .unwrap_or_else(|| PathBuf::from("rustc"));
        Command::new(rustc)
            .arg("-vV")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    })
}

/// This checker build: its version, and its executable's size and time.
fn checker_identity() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| fs::metadata(p).ok());
    let stamp = exe
        .as_ref()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!(
        "{} {} {stamp}",
        env!("CARGO_PKG_VERSION"),
        exe.map_or(0, |m| m.len())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(root.join("src/lib.rs"), "fn a() {}").unwrap();
        let files = vec![PathBuf::from("src/lib.rs")];
        let before = Fingerprint::new("t").add_files(root, &files).finish();
        fs::write(root.join("src/lib.rs"), "fn a() {}").unwrap();
        assert_eq!(
            before,
            Fingerprint::new("t").add_files(root, &files).finish()
        );
        fs::write(root.join("src/lib.rs"), "fn b() {}").unwrap();
        assert_ne!(
            before,
            Fingerprint::new("t").add_files(root, &files).finish()
        );
        fs::remove_file(root.join("src/lib.rs")).unwrap();
        assert_ne!(
            before,
            Fingerprint::new("t").add_files(root, &files).finish()
        );
    }

    #[test]
    fn backups_are_not_student_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("ex/src/nested")).unwrap();
        for f in [
            "ex/src/lib.rs",
            "ex/src/lib.rs.bak",
            "ex/src/nested/m.rs",
            "ex/Cargo.toml",
        ] {
            fs::write(root.join(f), "x").unwrap();
        }
        let exercise = Exercise {
            id: "ex".into(),
            title: String::new(),
            path: PathBuf::from("ex"),
            topic: String::new(),
            checklist: Vec::new(),
            hints: Vec::new(),
            points: 1,
            limit_secs: 60,
            exclusive: false,
        };
        let files = student_files(root, &exercise);
        let names: Vec<String> = files
            .iter()
            .map(|f| f.to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(
            names,
            ["ex/src/lib.rs", "ex/src/nested/m.rs", "ex/Cargo.toml"]
        );
    }
}
