//! The instrumentation: a reader that watches the pool (the probe), and real
//! files in a temporary folder.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ex04::{read_all, read_all_with};
use grading::{ms, secs, within, Patience, Rendezvous};

use crate::judge::hung;

/// Real time a test may take before the watchdog stops it. A correct pool
/// needs a few milliseconds; a wrong one at most one [`PATIENCE`] wait. The
/// rest is room for a machine loaded far beyond its cores, so that "never
/// returned" is said only of a pool that waits for ever, not of a slow one.
pub const WATCHDOG: Duration = secs(5);
/// How long the probe waits for what a correct pool does at once: as many
/// reads in flight as it may run, or the other files read while a slow one
/// is held. A correct pool needs microseconds.
pub const PATIENCE: Duration = secs(1);

pub fn workers(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("the suite uses at least one worker")
}

/// The order the probe lets reads finish in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// As soon as the rendezvous lets them go.
    Freely,
    /// Last file first: read i finishes only after every read after it. Needs
    /// all reads in flight at once (workers >= files).
    Reversed,
    /// The first file is slow: it finishes only after all the others.
    SlowFirst,
}

/// One probe run: `files` virtual files, of which `failing` (if any) fails.
#[derive(Clone, Copy)]
pub struct Setup {
    pub files: usize,
    pub workers: usize,
    pub failing: Option<usize>,
    pub finish: Finish,
}

impl Setup {
    pub fn new(files: usize, workers: usize) -> Self {
        Setup {
            files,
            workers,
            failing: None,
            finish: Finish::Freely,
        }
    }
}

pub fn label(i: usize) -> String {
    format!("file-{i}.txt")
}

pub fn contents(i: usize) -> String {
    format!("contents of file-{i}")
}

/// A moment the probe stopped waiting for the pool.
#[derive(Clone, Copy, Debug)]
pub struct Stall {
    /// Reads in flight at that moment.
    pub reading: usize,
    /// Files whose read had not started yet.
    pub waiting: usize,
}

#[derive(Default)]
struct State {
    calls: Vec<usize>,
    strangers: Vec<PathBuf>,
    started: usize,
    threads: HashSet<ThreadId>,
    finished: Vec<usize>,
    held_up: Option<Stall>,
    spans: Vec<Read>,
}

/// One read as the probe saw it: on which thread, from when to when (since
/// the probe was made), for the picture of the pool.
#[derive(Clone, Copy)]
pub struct Read {
    pub thread: ThreadId,
    pub start: Duration,
    pub end: Duration,
}

/// The instrumented reader. Every read enters a [`Rendezvous`] and stays
/// inside until it finishes, so the rendezvous counts the reads in flight;
/// it lets a read go on once `min(workers, files)` are in flight at once, or
/// every file has started. `Finish` may then hold a read back (with a
/// [`Patience`]) to impose an order of finishing.
struct Probe {
    setup: Setup,
    /// The thread that called `read_all_with`.
    caller: ThreadId,
    /// Where the reads' times are measured from.
    origin: Instant,
    index: HashMap<PathBuf, usize>,
    in_flight: Rendezvous,
    patience: Patience,
    state: Mutex<State>,
    wake: Condvar,
}

/// What the probe saw, handed back to the test's thread.
pub struct Report {
    pub calls: Vec<usize>,
    pub strangers: Vec<PathBuf>,
    pub threads: usize,
    /// Whether the thread that called `read_all_with` read some files itself.
    pub caller_read: bool,
    /// Set when the rendezvous gave up waiting for more reads in flight.
    pub stall: Option<Stall>,
    /// Set when files waited behind the slow first file (`Finish::SlowFirst`).
    pub held_up: Option<Stall>,
    pub finished: Vec<usize>,
    /// Every read, in the order their ends were observed.
    pub reads: Vec<Read>,
}

impl Probe {
    fn new(setup: Setup) -> Self {
        let index = (0..setup.files)
            .map(|i| (PathBuf::from(label(i)), i))
            .collect();
        let state = State {
            calls: vec![0; setup.files],
            ..State::default()
        };
        let target = setup.workers.min(setup.files);
        Probe {
            setup,
            caller: thread::current().id(),
            origin: Instant::now(),
            index,
            in_flight: Rendezvous::new(target, PATIENCE).expecting(setup.files),
            patience: Patience::new(PATIENCE),
            state: Mutex::new(state),
            wake: Condvar::new(),
        }
    }

    fn paths(&self) -> Vec<PathBuf> {
        (0..self.setup.files)
            .map(|i| PathBuf::from(label(i)))
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits while `blocked`, unless a wait of this test already ran out (one
    /// patience per test, the rendezvous's included). Returns the guard and
    /// whether this wait ran out.
    fn hold<'a>(
        &self,
        state: MutexGuard<'a, State>,
        blocked: impl FnMut(&mut State) -> bool,
    ) -> (MutexGuard<'a, State>, bool) {
        if self.in_flight.miss().is_some() {
            return (state, false);
        }
        let (state, missed) = self.patience.wait_while(&self.wake, state, blocked);
        if missed {
            self.in_flight.open();
        }
        (state, missed)
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        let n = self.setup.files;
        let Some(&i) = self.index.get(path) else {
            self.lock().strangers.push(path.to_path_buf());
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not one of the test's paths",
            ));
        };
        // The read's span starts when the student's code called `read` (noted
        // under the probe's lock, before the rendezvous counts it in) and
        // ends after the rendezvous counted it out: every moment the
        // rendezvous counts a read in flight is inside its span, and a pool's
        // thread never has two spans at once. The judges take the peak from
        // these spans, so the number in the sentence is the picture's.
        let start = {
            let mut s = self.lock();
            s.calls[i] += 1;
            s.started += 1;
            s.threads.insert(thread::current().id());
            self.origin.elapsed()
        };
        let inside = self.in_flight.enter();
        let mut s = self.lock();
        if self.setup.finish == Finish::SlowFirst && i == 0 {
            let (guard, missed) = self.hold(s, |s| s.finished.len() < n - 1);
            s = guard;
            if missed {
                s.held_up = Some(Stall {
                    reading: s.started - s.finished.len(),
                    waiting: n - s.started,
                });
            }
        }
        if self.setup.finish == Finish::Reversed {
            let turn = n - 1 - i;
            s = self.hold(s, |s| s.finished.len() < turn).0;
            if turn > 0 {
                // Let the thread whose read finished just before hand its
                // result over first, so "finish order" is really the order.
                drop(s);
                thread::sleep(ms(2));
                s = self.lock();
            }
        }
        s.finished.push(i);
        self.wake.notify_all();
        drop(s);
        drop(inside);
        let mut s = self.lock();
        s.spans.push(Read {
            thread: thread::current().id(),
            start,
            end: self.origin.elapsed(),
        });
        drop(s);
        if self.setup.failing == Some(i) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("the test refuses to read {}", label(i)),
            ));
        }
        Ok(contents(i))
    }

    fn report(&self) -> Report {
        let n = self.setup.files;
        let s = self.lock();
        Report {
            calls: s.calls.clone(),
            strangers: s.strangers.clone(),
            threads: s.threads.len(),
            caller_read: s.threads.contains(&self.caller),
            stall: self.in_flight.miss().map(|miss| Stall {
                reading: miss.inside,
                waiting: n - miss.entered,
            }),
            held_up: s.held_up,
            finished: s.finished.clone(),
            reads: s.spans.clone(),
        }
    }
}

/// Runs `read_all_with` on the probe's files, under the watchdog.
#[track_caller]
pub fn run_probe(setup: Setup) -> (Vec<io::Result<String>>, Report) {
    within(WATCHDOG, hung(), move || {
        let probe = Probe::new(setup);
        let paths = probe.paths();
        let results = read_all_with(&paths, workers(setup.workers), |path| probe.read(path));
        (results, probe.report())
    })
}

/// What a real file holds.
pub enum Content {
    Text(&'static str),
    Bytes(&'static [u8]),
    Missing,
}

/// Writes the files into a fresh temporary folder (missing ones are not
/// written) and reads them all with `read_all` under the watchdog.
#[track_caller]
pub fn read_real_files(files: &[(&str, Content)], pool: usize) -> Vec<io::Result<String>> {
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    let mut paths = Vec::new();
    for (name, content) in files {
        let path = dir.path().join(name);
        match content {
            Content::Text(text) => fs::write(&path, text),
            Content::Bytes(bytes) => fs::write(&path, bytes),
            Content::Missing => Ok(()),
        }
        .expect("the grader could not write a temporary file");
        paths.push(path);
    }
    let got = within(WATCHDOG, hung(), move || read_all(&paths, workers(pool)));
    drop(dir);
    got
}
