//! Runs one graded test binary with a time limit. A hung suite is killed
//! with its whole process group, its output is capped, and the facts its
//! graders recorded are read back.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use grading_protocol::SuiteFacts;

use crate::engine::interrupt::Cancelled;
use crate::engine::process::{self, Waited};

/// Output kept per stream; a flooding test is cut, not buffered forever.
const OUTPUT_CAP: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exited(ExitStatus),
    /// Killed at this limit.
    TimedOut(Duration),
}

#[derive(Debug)]
pub struct Run {
    pub ending: Ending,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// What the graders recorded about each test (see `grading_protocol`).
    pub facts: SuiteFacts,
}

/// Runs the test binary `exe` in `dir` for at most `limit`. Ctrl-C kills it
/// and returns a [`Cancelled`] error.
pub fn run_suite(exe: &Path, dir: &Path, limit: Duration) -> Result<Run> {
    let facts_file = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir)
        .env(grading_protocol::FACTS_FILE_VAR, facts_file.path())
        .args(["--color", "never"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child =
        process::spawn(&mut cmd).with_context(|| format!("cannot start {}", exe.display()))?;
    let stdout = capture(child.child().stdout.take());
    let stderr = capture(child.child().stderr.take());
    let ending = match child.wait(Some(limit))? {
        Waited::Exited(status) => Ending::Exited(status),
        Waited::TimedOut => Ending::TimedOut(limit),
        Waited::Cancelled => return Err(Cancelled.into()),
    };
    Ok(Run {
        ending,
        elapsed: start.elapsed(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        facts: grading_protocol::read(facts_file.path()),
    })
}

/// Reads a stream to its end on a thread of its own, keeping the first
/// `OUTPUT_CAP` bytes (the child must never block on a full pipe).
pub fn capture<R: Read + Send + 'static>(stream: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let Some(mut stream) = stream else {
            return String::new();
        };
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        let mut cut = false;
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = OUTPUT_CAP.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
            cut |= n > room;
        }
        let mut text = String::from_utf8_lossy(&kept).into_owned();
        if cut {
            text.push_str("\n[output cut: more than 1 MiB]\n");
        }
        text
    })
}
