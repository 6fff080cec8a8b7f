//! Builds the graded test binaries of several exercises in one cargo call.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use serde::Deserialize;

/// What one cargo call produced, per exercise id (the test target's name).
#[derive(Debug, Default)]
pub struct Built {
    pub executables: BTreeMap<String, PathBuf>,
    /// The first compiler error of each exercise that did not compile.
    pub errors: BTreeMap<String, CompileError>,
}

/// A compiler error, located.
#[derive(Debug, Clone)]
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

/// Runs `cargo build --tests` for `ids` in `workspace`, without stopping at
/// the first exercise that does not compile.
pub fn build_tests(workspace: &Path, target_dir: &Path, ids: &[&str]) -> Result<Built> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args(["build", "--tests", "--keep-going", "--quiet"])
        .args(["--message-format", "json"])
        .arg("--target-dir")
        .arg(target_dir);
    for id in ids {
        cmd.args(["-p", id]);
    }
    // Diagnostics are read from stdout; cargo's own errors (a broken
    // Cargo.toml, no network for a missing crate) come on stderr.
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = cmd.output().context("cannot run cargo")?;
    let mut built = Built::default();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<Message>(line) else {
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
    let missing: Vec<&&str> = ids
        .iter()
        .filter(|id| !built.executables.contains_key(**id) && !built.errors.contains_key(**id))
        .collect();
    if !missing.is_empty() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let which: Vec<&str> = missing.iter().map(|id| **id).collect();
        anyhow::bail!(
            "cargo could not build the graded suites of {}:\n{}",
            which.join(", "),
            stderr.trim()
        );
    }
    Ok(built)
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
