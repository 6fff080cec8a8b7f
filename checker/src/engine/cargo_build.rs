//! Builds the graded test binaries of several exercises in one cargo call,
//! with the student's shell environment, reporting cargo's progress.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::engine::interrupt::{self, Cancelled};
use crate::engine::process::{self, Waited};
use crate::engine::student_env;

/// What one cargo call produced, per exercise id (the test target's name).
#[derive(Debug, Default)]
pub struct Built {
    pub executables: BTreeMap<String, PathBuf>,
    /// The first compiler error of each exercise that did not compile.
    pub errors: BTreeMap<String, CompileError>,
}

/// A compiler error, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompileError {
    /// `file:line` relative to the workspace, when the compiler named one.
    pub location: Option<String>,
    pub message: String,
    /// The compiler's full rendering, with the code excerpt.
    pub rendered: String,
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    target: Option<Target>,
    executable: Option<PathBuf>,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    message: String,
    rendered: Option<String>,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    line_start: u64,
    is_primary: bool,
}

/// Progress of one cargo call, from cargo's own progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Units (crates, build scripts) finished, of `total`.
    pub done: usize,
    pub total: usize,
    /// What cargo is compiling now, e.g. `tokio, serde`.
    pub current: String,
}

/// How a build's own crates are compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// As the course's profile says: what the student's own builds do.
    Student,
    /// Without debug information for the workspace's crates (the registry
    /// dependencies are built as for the student, so they stay shared): a
    /// proof's candidates are built once, run once and thrown away, and
    /// nothing reads their line tables (a panic's location is compiled in
    /// either way). Measured: about a fifth less CPU per candidate.
    Proof,
}

impl Flavour {
    /// The variables that set the flavour for cargo.
    fn env(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Flavour::Student => &[],
            // Overrides `[profile.dev] debug`; `[profile.dev.package."*"]`
            // still decides the dependencies' setting, so they are not
            // rebuilt.
            Flavour::Proof => &[("CARGO_PROFILE_DEV_DEBUG", "false")],
        }
    }
}

/// What [`build_tests`] asks of cargo, besides the target folder and the
/// packages.
const BUILD_ARGS: [&str; 5] = [
    "build",
    "--tests",
    "--keep-going",
    "--message-format",
    "json",
];

/// How [`build_tests`] builds in `workspace` with `flavour`, as far as it
/// can change what is built: the cargo program, its arguments and the
/// flavour's settings, the variables of the environment that cargo and
/// rustc read for flags (`RUSTFLAGS`, `CARGO_PROFILE_*`, ...), and every
/// cargo configuration file a build there reads. A test binary kept from an
/// earlier build is reused only while this is unchanged (with its sources
/// and the toolchain: see `fingerprint::binary_key`).
pub fn settings(workspace: &Path, flavour: Flavour) -> String {
    let mut out = String::new();
    let cargo = student_env::cargo();
    out.push_str(&format!(
        "{:?} {BUILD_ARGS:?} {:?}\n",
        cargo.get_program(),
        flavour.env()
    ));
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value)))
        .filter(|(name, _)| affects_builds(name))
        .map(|(name, value)| (name, value.to_string_lossy().into_owned()))
        .collect();
    vars.sort();
    for (name, value) in vars {
        out.push_str(&format!("{name}={value:?}\n"));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let configs = workspace
        .ancestors()
        .map(|dir| dir.join(".cargo"))
        .chain(home);
    for dir in configs {
        for name in ["config.toml", "config"] {
            let file = dir.join(name);
            if let Ok(text) = std::fs::read_to_string(&file) {
                out.push_str(&format!("{}:\n{text}\n", file.display()));
            }
        }
    }
    out
}

/// Whether cargo or rustc read the environment variable `name` for how to
/// compile (the variables cargo sets for a running binary are not passed on:
/// see `student_env`).
fn affects_builds(name: &str) -> bool {
    const NAMES: [&str; 12] = [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_BOOTSTRAP",
        "CARGO_HOME",
        "CARGO_INCREMENTAL",
        "CC",
        "CFLAGS",
        "CXX",
        "CXXFLAGS",
    ];
    const PREFIXES: [&str; 4] = [
        "CARGO_BUILD_",
        "CARGO_PROFILE_",
        "CARGO_TARGET_",
        "CARGO_UNSTABLE_",
    ];
    NAMES.contains(&name)
        || (PREFIXES.iter().any(|p| name.starts_with(p))
            && !matches!(name, "CARGO_TARGET_DIR" | "CARGO_TARGET_TMPDIR")
            && !student_env::set_by_cargo_for_a_binary(name))
}

/// Runs `cargo build --tests` for `ids` in `workspace`, without stopping at
/// the first exercise that does not compile. `progress` hears how far the
/// build is. Ctrl-C stops cargo and returns a [`Cancelled`] error.
pub fn build_tests(
    workspace: &Path,
    target_dir: &Path,
    ids: &[&str],
    flavour: Flavour,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Built> {
    let mut cmd = student_env::cargo();
    cmd.envs(flavour.env().iter().copied());
    cmd.current_dir(workspace)
        .args(BUILD_ARGS)
        .arg("--target-dir")
        .arg(target_dir);
    for id in ids {
        cmd.args(["-p", id]);
    }
    // Cargo shows its progress bar only on a terminal; asked to, it writes
    // it to the pipe too, and the checker renders it. (This changes nothing
    // a build depends on.)
    cmd.env("CARGO_TERM_PROGRESS_WHEN", "always")
        .env("CARGO_TERM_PROGRESS_WIDTH", "100")
        .env("CARGO_TERM_COLOR", "never");
    // Diagnostics come as JSON on stdout; cargo's own errors (a broken
    // Cargo.toml, no network for a missing crate) and progress on stderr.
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd).context("cannot run cargo")?;
    let stdout = child.child().stdout.take().context("cargo's output")?;
    let stderr = child
        .child()
        .stderr
        .take()
        .context("cargo's error output")?;
    let pid = child.child().id();
    let reading = AtomicBool::new(true);
    let (built, errors) = thread::scope(|s| {
        let errors = s.spawn(|| read_stderr(stderr, progress));
        // Cargo leads its own process group, out of reach of the terminal's
        // Ctrl-C: stop it (and the compilers it started) when Ctrl-C comes.
        s.spawn(|| {
            while reading.load(Ordering::SeqCst) {
                if interrupt::cancelled() {
                    process::kill_group_of(pid);
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
        });
        let built = read_messages(stdout);
        reading.store(false, Ordering::SeqCst);
        (built, errors.join().unwrap_or_default())
    });
    match child.wait(None)? {
        Waited::Cancelled => return Err(Cancelled.into()),
        Waited::Exited(_) | Waited::TimedOut => {}
    }
    let mut built = built;
    if let Some(prefix) = course_prefix(workspace) {
        for error in built.errors.values_mut() {
            error.relative_to_course(&prefix);
        }
    }
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| !built.executables.contains_key(**id) && !built.errors.contains_key(**id))
        .copied()
        .collect();
    if !missing.is_empty() {
        if interrupt::cancelled() {
            return Err(Cancelled.into());
        }
        anyhow::bail!(
            "cargo could not build the graded suites of {}:\n{}",
            missing.join(", "),
            errors.trim()
        );
    }
    Ok(built)
}

/// Where the course sits inside its cargo workspace, when it is not the
/// workspace root itself (a scratch copy inside a wrapper workspace: see
/// `scratch`). The compiler names files relative to the workspace root.
fn course_prefix(course_root: &Path) -> Option<String> {
    for dir in course_root.ancestors() {
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let is_root =
            toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key("workspace"));
        if is_root {
            let inside = course_root.strip_prefix(dir).ok()?;
            let prefix = inside.to_string_lossy().replace('\\', "/");
            return (!prefix.is_empty()).then_some(prefix);
        }
    }
    None
}

impl CompileError {
    /// Names files relative to the course root instead of the workspace
    /// root `prefix` levels up.
    fn relative_to_course(&mut self, prefix: &str) {
        let with_slash = format!("{prefix}/");
        if let Some(location) = &mut self.location {
            if let Some(rest) = location.strip_prefix(&with_slash) {
                *location = rest.to_string();
            }
        }
        self.rendered = self
            .rendered
            .lines()
            .map(|line| {
                if line.trim_start().starts_with("-->") || line.trim_start().starts_with(":::") {
                    line.replacen(&with_slash, "", 1)
                } else {
                    line.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
}

/// Reads cargo's JSON messages: test executables and first errors.
fn read_messages(stdout: impl Read) -> Built {
    let mut built = Built::default();
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(msg) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        let Some(target) = msg.target else { continue };
        match msg.reason.as_str() {
            "compiler-artifact" if target.kind.iter().any(|k| k == "test") => {
                if let Some(exe) = msg.executable {
                    built.executables.insert(target.name, exe);
                }
            }
            "compiler-message" => {
                if let Some(d) = msg.message.filter(|d| d.level == "error") {
                    built
                        .errors
                        .entry(target.name)
                        .or_insert_with(|| CompileError {
                            location: d
                                .spans
                                .iter()
                                .find(|s| s.is_primary)
                                .map(|s| format!("{}:{}", s.file_name, s.line_start)),
                            message: d.message,
                            rendered: strip_ansi(d.rendered.as_deref().unwrap_or("")),
                        });
                }
            }
            _ => {}
        }
    }
    built
}

/// Reads cargo's stderr: progress lines (separated by carriage returns) go
/// to `progress`; everything else is kept, for an error message.
fn read_stderr(stderr: impl Read, progress: &(dyn Fn(Progress) + Sync)) -> String {
    let mut kept = String::new();
    let mut reader = BufReader::new(stderr);
    let mut segment = Vec::new();
    let mut byte = [0u8; 1];
    while let Ok(1) = reader.read(&mut byte) {
        if byte[0] != b'\r' && byte[0] != b'\n' {
            segment.push(byte[0]);
            continue;
        }
        let text = String::from_utf8_lossy(&segment).into_owned();
        segment.clear();
        match parse_progress(&text) {
            Some(p) => progress(p),
            None if !text.trim().is_empty() => {
                kept.push_str(text.trim_end());
                kept.push('\n');
            }
            None => {}
        }
    }
    kept
}

/// `    Building [=====>    ] 57/150: tokio, serde` → 57 of 150.
pub fn parse_progress(line: &str) -> Option<Progress> {
    let rest = line.trim_start().strip_prefix("Building")?;
    let rest = &rest[rest.find(']')? + 1..];
    let (counts, current) = rest.split_once(':').unwrap_or((rest, ""));
    let (done, total) = counts.trim().split_once('/')?;
    Some(Progress {
        done: done.trim().parse().ok()?,
        total: total.trim().parse().ok()?,
        current: current.trim().to_string(),
    })
}

/// Drops ANSI colour sequences (in case cargo is configured to colour them).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip `ESC [ ... letter`.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_settings_are_the_variables_that_change_a_build() {
        for name in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_PROFILE_DEV_DEBUG",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
            "RUSTC_WRAPPER",
        ] {
            assert!(affects_builds(name), "{name}");
        }
        // Set by cargo for the checker, or where the output goes, or how it
        // is shown: none changes what is built.
        for name in [
            "CARGO_TARGET_DIR",
            "CARGO_TARGET_TMPDIR",
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_TERM_COLOR",
            "RUST_BACKTRACE",
            "PATH",
        ] {
            assert!(!affects_builds(name), "{name}");
        }
        let dir = tempfile::tempdir().unwrap();
        let workspace = dir.path().join("scratch");
        std::fs::create_dir_all(&workspace).unwrap();
        let before = settings(&workspace, Flavour::Proof);
        assert_ne!(before, settings(&workspace, Flavour::Student));
        // A cargo configuration above the workspace applies to its builds.
        std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
        std::fs::write(
            dir.path().join(".cargo/config.toml"),
            "[build]\nrustflags = [\"-Copt-level=1\"]\n",
        )
        .unwrap();
        assert_ne!(before, settings(&workspace, Flavour::Proof));
    }

    #[test]
    fn cargo_progress_lines_are_read() {
        assert_eq!(
            parse_progress("    Building [========>        ] 57/150: tokio, serde   "),
            Some(Progress {
                done: 57,
                total: 150,
                current: "tokio, serde".into()
            })
        );
        assert_eq!(parse_progress("   Compiling tokio v1.47.0"), None);
    }

    #[test]
    fn json_messages_give_executables_and_first_errors() {
        let out = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"ex01","kind":["test"]},"executable":"/t/ex01-abc"}"#,
            "\n",
            r#"{"reason":"compiler-message","target":{"name":"ex04","kind":["lib"]},"message":{"level":"error","message":"mismatched types","rendered":"error[E0308]: mismatched types","spans":[{"file_name":"exercises/ex04/src/lib.rs","line_start":3,"is_primary":true}]}}"#,
            "\n",
            r#"{"reason":"compiler-message","target":{"name":"ex04","kind":["lib"]},"message":{"level":"error","message":"second","rendered":"","spans":[]}}"#,
            "\nnot json\n"
        );
        let built = read_messages(out.as_bytes());
        assert_eq!(built.executables["ex01"], PathBuf::from("/t/ex01-abc"));
        let error = &built.errors["ex04"];
        assert_eq!(
            error.location.as_deref(),
            Some("exercises/ex04/src/lib.rs:3")
        );
        assert_eq!(error.message, "mismatched types");
    }
}
