//! `checker dev mutants`: mutation testing of the graders with cargo-mutants.
//!
//! cargo-mutants changes the reference solutions one small way at a time
//! (`<` for `<=`, a body replaced by a default value) and runs the
//! exercise's graded suite on each change. A change the suite does not
//! notice ("missed") is a hole in the grader, or an equivalent program,
//! which `.cargo/mutants.toml` then excludes with its reason. It runs on a
//! plain scratch copy with every reference in the student's place, never on
//! the student's files.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;

use anyhow::{bail, Context, Result};

use crate::author::candidates::{self, Expect};
use crate::engine::manifest::Course;
use crate::engine::process;
use crate::engine::scratch;
use crate::engine::student_env;

/// The version the configuration is written for.
pub const INSTALL: &str = "cargo install cargo-mutants --locked --version ^27";

/// What a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub total: u64,
    pub caught: u64,
    pub missed: u64,
    pub unviable: u64,
    pub timeout: u64,
    /// The missed and timed-out mutants, as cargo-mutants names them.
    pub missed_list: Vec<String>,
    pub timeout_list: Vec<String>,
    /// cargo-mutants' own exit status (4: the references failed their suites).
    pub exit_code: Option<i32>,
    pub output_dir: PathBuf,
}

impl Outcome {
    pub fn held(&self) -> bool {
        self.missed == 0 && self.timeout == 0 && matches!(self.exit_code, Some(0))
    }
}

/// Runs cargo-mutants on the references of `only` (all exercises when
/// empty). `line` hears cargo-mutants' output as it comes.
pub fn run(course: &Course, only: &[String], line: &(dyn Fn(&str) + Sync)) -> Result<Outcome> {
    let version = student_env::cargo().args(["mutants", "--version"]).output();
    if !version.is_ok_and(|o| o.status.success()) {
        bail!("cargo-mutants is not installed: `{INSTALL}` (a few minutes), then run this again");
    }
    let exercises = course.select(only)?;
    let base = course.root.join("target").join("mutants");
    let copy = scratch::sync_plain(course, &base.join("course"))?;
    for e in &exercises {
        let reference = candidates::for_exercise(&course.root, e)?
            .into_iter()
            .find(|c| c.expect == Expect::AllPass)
            .context("an exercise without a reference")?;
        let source = reference.source(&course.root, e)?;
        std::fs::write(copy.join(e.student_file()), source)
            .with_context(|| format!("cannot write the reference of {} into the copy", e.id))?;
    }
    let output_dir = base.join("out");
    let mut cmd = student_env::cargo();
    cmd.current_dir(&copy)
        .args(["mutants", "--in-place", "--no-shuffle", "--colors", "never"])
        .arg("--output")
        .arg(&output_dir);
    for e in &exercises {
        cmd.args(["-p", &e.id]);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd).context("cannot run cargo mutants")?;
    let stdout = child.child().stdout.take();
    let stderr = child.child().stderr.take();
    thread::scope(|s| {
        if let Some(err) = stderr {
            s.spawn(move || forward(err, line));
        }
        if let Some(out) = stdout {
            forward(out, line);
        }
    });
    let waited = child.wait(None)?;
    let exit_code = match waited {
        process::Waited::Exited(status) => status.code(),
        process::Waited::Cancelled => return Err(crate::engine::interrupt::Cancelled.into()),
        process::Waited::TimedOut => None,
    };
    let mut outcome = read_outcome(&output_dir.join("mutants.out"))?;
    outcome.exit_code = exit_code;
    outcome.output_dir = output_dir.join("mutants.out");
    Ok(outcome)
}

fn forward(stream: impl std::io::Read, line: &(dyn Fn(&str) + Sync)) {
    for text in BufReader::new(stream).lines() {
        let Ok(text) = text else { break };
        line(&text);
    }
}

/// Reads cargo-mutants' `outcomes.json`, `missed.txt` and `timeout.txt`.
pub fn read_outcome(dir: &Path) -> Result<Outcome> {
    let file = dir.join("outcomes.json");
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cargo-mutants wrote no {}", file.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not the JSON cargo-mutants writes", file.display()))?;
    let count = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    let list = |name: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(Outcome {
        total: count("total_mutants"),
        caught: count("caught"),
        missed: count("missed"),
        unviable: count("unviable"),
        timeout: count("timeout"),
        missed_list: list("missed.txt"),
        timeout_list: list("timeout.txt"),
        exit_code: None,
        output_dir: dir.to_path_buf(),
    })
}

pub fn render(o: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nmutants: {} tested: {} caught, {} missed, {} timed out, {} unviable (excluded ones are \
         listed with their reasons in .cargo/mutants.toml).",
        o.total, o.caught, o.missed, o.timeout, o.unviable
    );
    for m in &o.missed_list {
        let _ = writeln!(out, "  MISSED   {m}");
    }
    for m in &o.timeout_list {
        let _ = writeln!(out, "  TIMEOUT  {m}");
    }
    if o.exit_code == Some(4) {
        let _ = writeln!(
            out,
            "  The references failed their own suites before any mutant ran: `cargo run -- dev \
             verify` says why."
        );
    }
    if !o.missed_list.is_empty() {
        let _ = writeln!(
            out,
            "A missed mutant is a change of the reference the grader does not notice: add a test \
             (and a catalogued mistake) that fails on it, or, if it behaves the same for every \
             input, exclude it in .cargo/mutants.toml with the reason. Details: {}",
            o.output_dir.display()
        );
    }
    out
}
