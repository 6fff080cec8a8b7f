//! Closing thousands of sockets off the test's path.
//!
//! Closing a TCP connection costs the kernel tens of microseconds (a reset
//! or a goodbye sent, the socket freed): 10 000 of them take a few hundred
//! milliseconds, paid by whichever process drops the last reference, and at
//! the latest when it exits. A load test that is done with its clients need
//! not wait for that: [`close_in_background`] hands the last references to a
//! short-lived child process, which the kernel tears down after the test.

use std::net::TcpStream;

/// Closes `streams` without waiting for the kernel to tear the connections
/// down: on unix a forked child process holds them for a moment, the caller
/// drops its own references (cheap: the connections stay alive in the
/// child), then the child exits and the kernel closes them there, in the
/// background. Elsewhere, or if forking fails, they are dropped on a
/// detached thread (the process's exit then waits for what is left).
pub fn close_in_background(streams: Vec<TcpStream>) {
    #[cfg(unix)]
    if let Some(release) = unix::hand_over() {
        drop(streams);
        // Now the child holds the last references: let it exit.
        drop(release);
        return;
    }
    std::thread::spawn(move || drop(streams));
}

#[cfg(unix)]
mod unix {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    /// Forks a child, which holds every descriptor the process has, these
    /// sockets among them, until the returned end of a pipe is dropped; then
    /// it exits at once. `None` if it could not fork.
    pub(super) fn hand_over() -> Option<OwnedFd> {
        let mut ends = [0; 2];
        // SAFETY: pipe writes two descriptors into the array it is given.
        if unsafe { libc::pipe(ends.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: both descriptors were just opened and are owned here only.
        let (read, write) =
            unsafe { (OwnedFd::from_raw_fd(ends[0]), OwnedFd::from_raw_fd(ends[1])) };
        // SAFETY: the child runs only async-signal-safe calls (close, read,
        // _exit) before it exits: nothing that could find a lock held by a
        // thread of the parent's.
        match unsafe { libc::fork() } {
            -1 => None,
            0 => unsafe {
                libc::close(write.as_raw_fd());
                let mut byte = 0u8;
                // Returns once the parent's end closes (EOF), or on any error.
                libc::read(read.as_raw_fd(), std::ptr::from_mut(&mut byte).cast(), 1);
                libc::_exit(0)
            },
            child => {
                drop(read);
                // Reaped off the caller's path (if this process ends first,
                // the system reaps it).
                std::thread::spawn(move || {
                    let mut status = 0;
                    // SAFETY: waits for our own child; the status is ours.
                    unsafe { libc::waitpid(child, &mut status, 0) };
                });
                Some(write)
            }
        }
    }
}
