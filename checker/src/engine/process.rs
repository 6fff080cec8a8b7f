//! Child processes that never outlive their purpose: each runs in a process
//! group of its own, is waited for with a time limit and Ctrl-C in mind, and
//! is killed with everything it started on every path out (a guard kills it
//! on drop, so an early return or a panic leaves nothing behind).

use std::io;
use std::process::{Child, Command, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use crate::engine::interrupt;

/// How often a waiting loop looks at the child, the clock and Ctrl-C.
const POLL: Duration = Duration::from_millis(10);

/// A running child, killed with its whole process group when dropped.
pub struct Guarded {
    child: Child,
    done: bool,
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    Exited(ExitStatus),
    /// The limit passed; the child and its group were killed.
    TimedOut,
    /// Ctrl-C; the child and its group were killed.
    Cancelled,
}

/// Starts `cmd` as the leader of a new process group (on Windows, a new
/// console process group), so that the group can be killed as a whole and
/// the terminal's Ctrl-C reaches the checker, not the child.
pub fn spawn(cmd: &mut Command) -> io::Result<Guarded> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    #[cfg(windows)]
    {
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        std::os::windows::process::CommandExt::creation_flags(cmd, CREATE_NEW_PROCESS_GROUP);
    }
    Ok(Guarded {
        child: spawn_retrying_busy_text(cmd)?,
        done: false,
    })
}

/// `cmd.spawn()`, tried again while it fails with ETXTBSY ("text file busy").
/// The proof copies a freshly built test binary on one thread while it
/// starts suites on another: a child forked during a copy inherits the
/// copy's open file for a moment, and while any process holds an executable
/// open for writing, Linux refuses to run it. The copy is long closed by the
/// time the child execs or exits, so waiting briefly and retrying is enough.
fn spawn_retrying_busy_text(cmd: &mut Command) -> io::Result<Child> {
    const ETXTBSY: i32 = 26;
    let mut tries = 0;
    loop {
        match cmd.spawn() {
            Err(e) if cfg!(unix) && e.raw_os_error() == Some(ETXTBSY) && tries < 50 => {
                tries += 1;
                thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl Guarded {
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits until the child exits, `limit` passes or Ctrl-C is pressed.
    /// Whatever the child left running in its group is killed in every case.
    pub fn wait(&mut self, limit: Option<Duration>) -> io::Result<Waited> {
        let start = Instant::now();
        let waited = loop {
            if let Some(status) = self.child.try_wait()? {
                break Waited::Exited(status);
            }
            if interrupt::cancelled() {
                break Waited::Cancelled;
            }
            if limit.is_some_and(|l| start.elapsed() >= l) {
                break Waited::TimedOut;
            }
            thread::sleep(POLL);
        };
        self.kill();
        Ok(waited)
    }

    /// Kills the child's whole group and reaps the child.
    pub fn kill(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        kill_group(&mut self.child);
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.kill();
    }
}

fn kill_group(child: &mut Child) {
    kill_group_of(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Kills the process group led by `pid` (a child started by [`spawn`]),
/// without waiting for it.
pub fn kill_group_of(pid: u32) {
    #[cfg(unix)]
    {
        // The child leads its own group: signal the group, so anything it
        // started goes too (even after the leader itself has exited).
        if let Ok(pid) = i32::try_from(pid) {
            if pid > 0 {
                // SAFETY: kill(2) with a negative pid only sends a signal.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
            }
        }
    }
    #[cfg(windows)]
    {
        // `taskkill /T` ends the process and the processes it started.
        let _ = Command::new("taskkill")
            .args(["/T", "/F", "/PID", &pid.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    #[cfg(not(any(unix, windows)))]
    let _ = pid;
}
