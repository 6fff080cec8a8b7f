//! The rendezvous of all the jobs, with a patience that holds on a busy
//! machine.
//!
//! `grading::Rendezvous` gives up a fixed time after a call starts waiting.
//! Here the jobs are OS threads that tokio starts one by one, and on a
//! machine loaded far beyond its cores, starting 100 of them takes more than
//! a second: a fixed limit would call a correct solution a "window". So this
//! one gives up only once *no new job has started* for [`QUIET`]: a correct
//! solution keeps jobs arriving until all are in, however slowly; one that
//! keeps a window of k jobs (or runs them one at a time) stops the arrivals
//! for good, whatever the timing.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use grading::Miss;

#[derive(Debug)]
struct State {
    inside: usize,
    peak: usize,
    entered: usize,
    last_entry: Instant,
    /// Everyone was inside at once, or the patience ran out: no call waits
    /// any more.
    released: bool,
    miss: Option<Miss>,
}

/// Waits until `target` calls are inside at once (see the module
/// documentation).
pub struct Together {
    target: usize,
    quiet: Duration,
    state: Mutex<State>,
    wake: Condvar,
}

/// A call inside; dropping it counts the call out.
#[must_use = "the call counts as inside until this is dropped"]
pub struct Inside<'a>(&'a Together);

impl Together {
    pub fn new(target: usize, quiet: Duration) -> Together {
        Together {
            target: target.max(1),
            quiet,
            state: Mutex::new(State {
                inside: 0,
                peak: 0,
                entered: 0,
                last_entry: Instant::now(),
                released: false,
                miss: None,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts the call in, then waits until every call is inside at once, or
    /// no call has entered for the quiet time (once per rendezvous).
    pub fn enter(&self) -> Inside<'_> {
        let mut s = self.lock();
        s.inside += 1;
        s.entered += 1;
        s.peak = s.peak.max(s.inside);
        s.last_entry = Instant::now();
        if s.inside >= self.target {
            s.released = true;
            self.wake.notify_all();
        }
        while !s.released {
            let quiet_for = s.last_entry.elapsed();
            if quiet_for >= self.quiet {
                s.miss = Some(Miss {
                    inside: s.inside,
                    entered: s.entered,
                    target: self.target,
                });
                s.released = true;
                self.wake.notify_all();
                break;
            }
            s = self
                .wake
                .wait_timeout(s, self.quiet - quiet_for)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Inside(self)
    }

    /// Most calls seen inside at once.
    pub fn peak(&self) -> usize {
        self.lock().peak
    }

    /// What it saw when it gave up, if it did.
    pub fn miss(&self) -> Option<Miss> {
        self.lock().miss
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.lock().inside -= 1;
    }
}
