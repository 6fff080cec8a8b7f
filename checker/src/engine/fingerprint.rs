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

/// The fingerprint of everything that goes into `exercise`'s test binary
/// built with `source` as its student file: what every exercise shares (the
/// graders' crates, the workspace manifest and lock file, the toolchain,
/// the checker: see [`shared`]), the exercise crate's other files (its
/// manifest, its provided programs), its suite, and `build`, how cargo is
/// asked to build it (see `cargo_build::settings`). The student's own file
/// in the course plays no part: `source` is built in its place.
pub fn binary_key(
    course: &Course,
    exercise: &Exercise,
    shared: &str,
    source: &str,
    build: &str,
) -> String {
    let root = &course.root;
    let student = exercise.student_file();
    let crate_files: Vec<PathBuf> = files_under(root, &exercise.path)
        .into_iter()
        .filter(|f| *f != student)
        .collect();
    Fingerprint::new("test binary")
        .add_str(shared)
        .add_str(&exercise.id)
        .add_files(root, &crate_files)
        .add_files(root, &exercise.suite_files(root))
        .add_str(source)
        .add_str(build)
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

/// This checker build. Its source, when the checker runs where it was built
/// (a course's checker/ folder): `cargo run` and `cargo test` make two
/// different executables of the same source (dev-dependencies unify other
/// features), and switching between them must keep the proof's kept
/// binaries and verdicts, and a student's. Else (a checker installed or
/// moved away from its source) its version and its executable's size and
/// time.
fn checker_identity() -> String {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY
        .get_or_init(|| {
            let source = Path::new(env!("CARGO_MANIFEST_DIR"));
            let mut files = files_under(source, Path::new("src"));
            if !files.is_empty() {
                files.push(PathBuf::from("Cargo.toml"));
                return Fingerprint::new("checker source")
                    .add_str(env!("CARGO_PKG_VERSION"))
                    .add_files(source, &files)
                    .finish();
            }
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
        })
        .clone()
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

    /// A course of two exercises with a shared crate, in `root`.
    fn tiny_course(root: &Path) -> Course {
        for (path, text) in [
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\", \"exercises/*\"]\n",
            ),
            ("Cargo.lock", "version = 4\n"),
            (
                "course.toml",
                "[[exercise]]\nid = \"ex01\"\ntitle = \"A\"\npath = \"exercises/ex01-a\"\npoints = 1\n\n\
                 [[exercise]]\nid = \"ex02\"\ntitle = \"B\"\npath = \"exercises/ex02-b\"\npoints = 1\n",
            ),
            ("crates/grading/src/lib.rs", "pub fn grade() {}\n"),
            ("exercises/ex01-a/Cargo.toml", "[package]\nname = \"ex01\"\n"),
            ("exercises/ex01-a/src/lib.rs", "// the student's work\n"),
            ("exercises/ex01-a/src/bin/provided.rs", "fn main() {}\n"),
            ("tests/ex01/main.rs", "mod helper;\n"),
            ("tests/ex01/helper.rs", "// a suite module\n"),
            ("exercises/ex02-b/Cargo.toml", "[package]\nname = \"ex02\"\n"),
            ("exercises/ex02-b/src/lib.rs", "// stub\n"),
            ("tests/ex02.rs", "// suite\n"),
        ] {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        Course::load(root).unwrap()
    }

    #[test]
    fn a_test_binary_is_keyed_by_everything_that_goes_into_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let course = tiny_course(root);
        let ex01 = &course.exercises[0];
        let key =
            |source: &str, build: &str| binary_key(&course, ex01, &shared(&course), source, build);
        let before = key("pub fn solved() {}", "proof");
        assert_eq!(before, key("pub fn solved() {}", "proof"), "stable");

        // What is built, and how.
        assert_ne!(before, key("pub fn other() {}", "proof"), "the candidate");
        assert_ne!(before, key("pub fn solved() {}", "student"), "the build");

        // Not what the student's own file holds (the candidate replaces it),
        // nor another exercise's files, nor a timestamp.
        for (file, text) in [
            ("exercises/ex01-a/src/lib.rs", "// solved meanwhile\n"),
            ("exercises/ex02-b/src/lib.rs", "// ex02 edited\n"),
            ("tests/ex02.rs", "// ex02's suite edited\n"),
            ("tests/ex01/helper.rs", "// a suite module\n"),
        ] {
            fs::write(root.join(file), text).unwrap();
            assert_eq!(before, key("pub fn solved() {}", "proof"), "{file}");
        }

        // Every file that goes into the binary.
        for (file, text) in [
            ("tests/ex01/main.rs", "mod helper; // edited\n"),
            ("tests/ex01/helper.rs", "// edited\n"),
            ("exercises/ex01-a/Cargo.toml", "[package]\nname = \"ex01\" # edited\n"),
            ("exercises/ex01-a/src/bin/provided.rs", "fn main() { /* edited */ }\n"),
            ("crates/grading/src/lib.rs", "pub fn grade() { /* edited */ }\n"),
            ("Cargo.lock", "version = 4 # edited\n"),
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\", \"exercises/*\"]\n[profile.dev]\ndebug = 0\n",
            ),
            (".cargo/config.toml", "[build]\nrustflags = [\"-Copt-level=1\"]\n"),
        ] {
            let previous = key("pub fn solved() {}", "proof");
            fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            fs::write(root.join(file), text).unwrap();
            assert_ne!(previous, key("pub fn solved() {}", "proof"), "{file}");
        }
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
