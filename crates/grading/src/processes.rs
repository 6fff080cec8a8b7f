//! Child processes seen from the outside: was each one waited for?
//!
//! A child process that has exited stays in the process table as a *zombie*
//! until its parent waits for it (`Child::wait`). A suite that knows the pids
//! of the processes the student's code started (e.g. because each one wrote
//! its pid into a file) asks here, after the student's code has returned,
//! what became of each: waited for, a zombie, or still running.
//!
//! Only unix can tell; elsewhere the answers are `None`, and suites skip the
//! check with a note.

/// What became of a child process of the test process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildState {
    /// Waited for already, or not a child of this process: nothing is left of it.
    Gone,
    /// It had exited, but nobody had waited for it: it was a zombie. Asking
    /// reaped it, so it is gone now.
    WasZombie,
    /// Still running.
    Running,
}

/// What became of child `pid`, without blocking. A zombie is reaped on the
/// way (so ask once per pid). `None` where this cannot be observed (not unix).
pub fn child_state(pid: u32) -> Option<ChildState> {
    imp::child_state(pid)
}

/// Kills child `pid` if it is still running, and waits for it. Returns whether
/// it was running. Only ever signals a *running child of this process*, so a
/// pid that was reaped and reused elsewhere is left alone.
pub fn kill_child(pid: u32) -> bool {
    imp::kill_child(pid)
}

#[cfg(unix)]
mod imp {
    use super::ChildState;

    /// `pid` as `pid_t`, refusing 0 and negatives: `waitpid(0)` or
    /// `kill(-1)` would mean "any child" / "every process".
    fn as_pid(pid: u32) -> Option<libc::pid_t> {
        libc::pid_t::try_from(pid).ok().filter(|&p| p > 0)
    }

    pub fn child_state(pid: u32) -> Option<ChildState> {
        let Some(pid) = as_pid(pid) else {
            return Some(ChildState::Gone);
        };
        loop {
            let mut status = 0;
            // SAFETY: waitpid only writes the status into our local.
            let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if got == pid {
                return Some(ChildState::WasZombie);
            }
            if got == 0 {
                return Some(ChildState::Running);
            }
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            // ECHILD: already waited for, or not our child.
            return Some(ChildState::Gone);
        }
    }

    pub fn kill_child(pid: u32) -> bool {
        if child_state(pid) != Some(ChildState::Running) {
            return false;
        }
        let Some(pid) = as_pid(pid) else {
            return false;
        };
        // SAFETY: plain system calls on a pid that is our running child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            let mut status = 0;
            while libc::waitpid(pid, &mut status, 0) == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
            {}
        }
        true
    }
}

#[cfg(not(unix))]
mod imp {
    use super::ChildState;

    pub fn child_state(_pid: u32) -> Option<ChildState> {
        None
    }

    pub fn kill_child(_pid: u32) -> bool {
        false
    }
}
