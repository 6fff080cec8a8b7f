//! `dev verify --load N`: the machine kept busy while the proof runs, to
//! show that causes and verdicts hold under load (a diagnosis that reads
//! real-time slowness as a cause shows up as a changed row).
//!
//! The load is N threads of this process spinning, so it cannot outlive the
//! proof on any path: they stop when the [`Load`] is dropped (the proof
//! ended, or returned an error, or a panic unwound through it), when Ctrl-C
//! is pressed, and with the process in every other case. Threads rather
//! than processes for that reason: a child process could survive a crash of
//! the checker.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::engine::interrupt;

/// Busy threads, and the load average seen while they ran.
pub struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    seen: Arc<Mutex<Seen>>,
}

/// The 1-minute load average: at the start, the highest while loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seen {
    pub at_start: Option<f64>,
    pub highest: Option<f64>,
    pub busy: usize,
}

impl Load {
    /// Starts `busy` spinning threads and a sampler of the load average.
    pub fn start(busy: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Seen {
            at_start: load_average(),
            highest: None,
            busy,
        }));
        let stopped = {
            let stop = Arc::clone(&stop);
            move || stop.load(Ordering::Relaxed) || interrupt::cancelled()
        };
        let mut threads: Vec<JoinHandle<()>> = (0..busy)
            .map(|i| {
                let stopped = stopped.clone();
                thread::Builder::new()
                    .name(format!("load-{i}"))
                    .spawn(move || {
                        while !stopped() {
                            for _ in 0..10_000 {
                                std::hint::spin_loop();
                            }
                        }
                    })
                    .expect("a thread for the load")
            })
            .collect();
        let sampler_seen = Arc::clone(&seen);
        threads.push(
            thread::Builder::new()
                .name("load-sampler".into())
                .spawn(move || {
                    while !stopped() {
                        if let Some(now) = load_average() {
                            let mut s = sampler_seen.lock().expect("no panic while held");
                            s.highest = Some(s.highest.map_or(now, |h| h.max(now)));
                        }
                        // Short steps, so that stopping is prompt.
                        for _ in 0..20 {
                            if stopped() {
                                return;
                            }
                            thread::sleep(Duration::from_millis(100));
                        }
                    }
                })
                .expect("a thread for the sampler"),
        );
        Load {
            stop,
            threads,
            seen,
        }
    }

    /// Stops the threads and says what load was seen.
    pub fn finish(mut self) -> Seen {
        self.end();
        *self.seen.lock().expect("no panic while held")
    }

    fn end(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.end();
    }
}

impl Seen {
    /// One line for the end of the proof.
    pub fn summary(&self) -> String {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let avg = |x: Option<f64>| x.map_or("unknown".to_string(), |x| format!("{x:.1}"));
        format!(
            "load: {} busy thread{} on {cores} core{} for the whole run; load average (1 min) \
             {} at the start, {} at the highest",
            self.busy,
            if self.busy == 1 { "" } else { "s" },
            if cores == 1 { "" } else { "s" },
            avg(self.at_start),
            avg(self.highest)
        )
    }
}

/// The 1-minute load average (Linux's /proc/loadavg), if the system has one.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_ends_when_dropped_or_finished() {
        let load = Load::start(2);
        let stop = Arc::clone(&load.stop);
        let seen = load.finish();
        assert!(stop.load(Ordering::SeqCst));
        assert_eq!(seen.busy, 2);
        assert!(
            seen.summary().starts_with("load: 2 busy threads on "),
            "{}",
            seen.summary()
        );
        // Dropped without finish (an error or a panic unwinding): stopped too.
        let load = Load::start(1);
        let stop = Arc::clone(&load.stop);
        drop(load);
        assert!(stop.load(Ordering::SeqCst));
    }
}
