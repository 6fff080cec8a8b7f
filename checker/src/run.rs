//! Runs one test binary with a time limit; a hung one is killed with its
//! whole process group, and its output is capped.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// Set on Ctrl-C: running suites are killed and `run_suite` returns an error.
pub static CANCELLED: AtomicBool = AtomicBool::new(false);

/// Output kept per stream; a flooding test is cut, not buffered forever.
const OUTPUT_CAP: usize = 1 << 20;

#[derive(Debug)]
pub enum Ending {
    Exited(ExitStatus),
    TimedOut(Duration),
}

#[derive(Debug)]
pub struct Run {
    pub ending: Ending,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// What the graders recorded about each test (see `grading_protocol`).
    pub facts: grading_protocol::SuiteFacts,
}

pub fn run_suite(exe: &Path, dir: &Path, limit: Duration) -> Result<Run> {
    // The graders record typed facts about each test here (see `grading_protocol`).
    let facts_file = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir)
        .env(grading_protocol::FACTS_FILE_VAR, facts_file.path())
        .args(["--color", "never"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let stdout = capture(child.stdout.take());
    let stderr = capture(child.stderr.take());
    let ending = loop {
        if let Some(status) = child.try_wait()? {
            // Anything the suite started and left behind goes too.
            kill_tree(&mut child);
            break Ending::Exited(status);
        }
        if CANCELLED.load(Ordering::SeqCst) {
            kill_tree(&mut child);
            anyhow::bail!("cancelled");
        }
        if start.elapsed() >= limit {
            kill_tree(&mut child);
            break Ending::TimedOut(limit);
        }
        thread::sleep(Duration::from_millis(10));
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
fn capture<R: Read + Send + 'static>(stream: Option<R>) -> thread::JoinHandle<String> {
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

fn kill_tree(child: &mut Child) {
    #[cfg(unix)]
    {
        // The child leads its own process group: signal the whole group, so
        // anything it started goes too.
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) with a negative pid only sends a signal.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
