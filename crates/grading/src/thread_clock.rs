//! Where a thread's real time went: running on a core, waiting for a core
//! (the machine is busy), or asleep (blocked in a sleep, a lock, a read).
//!
//! Real time alone cannot tell a blocked thread from a loaded machine: on 2
//! cores shared with six busy loops, 20 ms of work can take 800 ms of real
//! time. The kernel's scheduler statistics can: Linux counts, per thread, the
//! time it ran and the time it waited, runnable, for a core
//! (`/proc/thread-self/schedstat`). What is left of the real time was spent
//! asleep. So "the thread was blocked for 1 s" is said only when the thread
//! really slept for 1 s, however busy the machine was.
//!
//! Elsewhere (not Linux, or a kernel without schedstat) nothing is known and
//! the split is `None`: a suite then asserts no cause from real time.

use std::time::{Duration, Instant};

/// A start point on the current thread's clocks; see the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct ThreadClock {
    real: Instant,
    sched: Option<Sched>,
}

/// How the current thread spent the real time since [`ThreadClock::start`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThreadTime {
    /// Wall-clock time.
    pub real: Duration,
    /// The split of `real`, where the kernel tells it.
    pub split: Option<Split>,
}

/// Where a thread's real time went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Split {
    /// Running on a core: the thread's own work (or spinning).
    pub on_cpu: Duration,
    /// Runnable but waiting for a core: the machine was busy.
    pub waiting_for_cpu: Duration,
    /// Neither: the thread slept or was blocked (a sleep, a lock, I/O).
    pub asleep: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Sched {
    on_cpu: Duration,
    waiting_for_cpu: Duration,
}

impl ThreadClock {
    /// Starts measuring the current thread. Read it with
    /// [`elapsed`](Self::elapsed) on the same thread.
    pub fn start() -> ThreadClock {
        ThreadClock {
            sched: Sched::read(),
            real: Instant::now(),
        }
    }

    /// How the current thread spent the time since `start` (call it on the
    /// thread that called `start`).
    pub fn elapsed(&self) -> ThreadTime {
        let now = Sched::read();
        let real = self.real.elapsed();
        let split = match (self.sched, now) {
            (Some(then), Some(now)) => {
                let on_cpu = now.on_cpu.saturating_sub(then.on_cpu);
                let waiting_for_cpu = now.waiting_for_cpu.saturating_sub(then.waiting_for_cpu);
                Some(Split {
                    on_cpu,
                    waiting_for_cpu,
                    asleep: real.saturating_sub(on_cpu + waiting_for_cpu),
                })
            }
            _ => None,
        };
        ThreadTime { real, split }
    }
}

impl Sched {
    /// `/proc/thread-self/schedstat`: "<ns on cpu> <ns waiting on a run
    /// queue> <timeslices>".
    fn read() -> Option<Sched> {
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        let on_cpu = fields.next()?.ok()?;
        let waiting = fields.next()?.ok()?;
        Some(Sched {
            on_cpu: Duration::from_nanos(on_cpu),
            waiting_for_cpu: Duration::from_nanos(waiting),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_is_asleep_and_a_spin_is_on_cpu() {
        let clock = ThreadClock::start();
        std::thread::sleep(Duration::from_millis(200));
        let slept = clock.elapsed();
        let clock = ThreadClock::start();
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(200) {
            std::hint::spin_loop();
        }
        let spun = clock.elapsed();
        let (Some(slept), Some(spun)) = (slept.split, spun.split) else {
            // No scheduler statistics here: nothing to check.
            return;
        };
        assert!(slept.asleep >= Duration::from_millis(150), "{slept:?}");
        assert!(slept.on_cpu < Duration::from_millis(50), "{slept:?}");
        // On a busy machine the spin also waits for a core, but never sleeps.
        assert!(spun.asleep < Duration::from_millis(50), "{spun:?}");
        assert!(spun.on_cpu > Duration::ZERO, "{spun:?}");
    }
}
