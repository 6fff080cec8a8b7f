//! The server process seen from outside: its thread count and peak memory,
//! from `/proc/<pid>/status`. Linux only: elsewhere nothing can be read, and
//! the load test says which checks it skipped, and why.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Why the thread and memory checks are skipped where `/proc` is missing.
pub const SKIPPED: &str = "SKIPPED: the checks of the server's thread count (a thread per \
    connection) and of its peak memory: they read /proc/<pid>/status, which only Linux has. \
    Everything else in this test ran.";

/// What `/proc/<pid>/status` says about a process.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcStatus {
    pub threads: usize,
    pub peak_memory_kib: u64,
}

/// `None` where it cannot be read (not Linux, or the process is gone).
#[cfg(target_os = "linux")]
pub fn proc_status(pid: u32) -> Option<ProcStatus> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    Some(ProcStatus {
        threads: usize::try_from(field("Threads:")?).ok()?,
        peak_memory_kib: field("VmHWM:")?,
    })
}

/// `None` where it cannot be read (not Linux, or the process is gone).
#[cfg(not(target_os = "linux"))]
pub fn proc_status(_pid: u32) -> Option<ProcStatus> {
    None
}

/// Samples the server's thread count every few milliseconds, keeping the peak.
pub struct ThreadWatch {
    peak: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl ThreadWatch {
    pub fn start(pid: u32) -> ThreadWatch {
        let peak = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (Arc::clone(&peak), Arc::clone(&stop));
        thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match proc_status(pid) {
                    Some(status) => p.fetch_max(status.threads, Ordering::Relaxed),
                    None => return,
                };
                thread::sleep(Duration::from_millis(5));
            }
        });
        ThreadWatch { peak, stop }
    }

    pub fn note(&self, threads: usize) {
        self.peak.fetch_max(threads, Ordering::Relaxed);
    }

    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for ThreadWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// How many of the process's runtime worker threads (named
/// `tokio-rt-worker` by tokio; `tokio-runtime-w`, the old name cut to the
/// kernel's 15 characters, by older versions) are inside a sleep system call right now, read
/// from `/proc/<pid>/task/*/syscall`. An idle tokio worker waits in
/// `epoll_wait` or on a futex, never in `nanosleep`: one found there is
/// blocked by a `std::thread::sleep` in async code. `None` where this cannot
/// be read (not Linux on x86-64 or arm64, or no permission).
pub fn workers_in_sleep(pid: u32) -> Option<usize> {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    const SLEEPS: [&str; 2] = ["35", "230"];
    #[cfg(all(target_os = "linux", target_arch = "aarch64"))]
    const SLEEPS: [&str; 2] = ["101", "115"];
    #[cfg(not(all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    )))]
    const SLEEPS: [&str; 0] = [];
    if SLEEPS.is_empty() {
        return None;
    }
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut readable = false;
    let mut sleeping = 0;
    for task in tasks.flatten() {
        let path = task.path();
        let Ok(name) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        if !name.starts_with("tokio-rt-worker") && !name.starts_with("tokio-runtime-w") {
            continue;
        }
        let Ok(syscall) = std::fs::read_to_string(path.join("syscall")) else {
            continue;
        };
        readable = true;
        let number = syscall.split_whitespace().next().unwrap_or("");
        if SLEEPS.contains(&number) {
            sleeping += 1;
        }
    }
    readable.then_some(sleeping)
}
