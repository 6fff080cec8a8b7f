//! Graded suite for exercise 4 (read files with a pool of threads).
//!
//! Most tests hand `read_all_with` an instrumented reader, the *probe*. Every
//! read registers itself (how many reads are in flight, the peak, which
//! thread runs it) and then waits at a rendezvous until as many reads are in
//! flight as the pool should run at once, `min(workers, files)`, or until
//! every file has started. A correct pool gets there in microseconds; a pool
//! that reads one file at a time never does, and after [`PATIENCE`] the probe
//! notes the miss and stops waiting (for the whole test, so a wrong pool
//! costs one wait, not one per file). So "4 reads ran at once" is an
//! observation, not a timing guess, and so is "10 different threads read".
//!
//! Two tests read real files made with `tempfile`, to check `read_all` and
//! the error kinds of `std::fs::read_to_string`.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::fs;
use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::Duration;

use ex04::{read_all, read_all_with};
use grading::{check, fail, fmt_duration, within};

/// Real time a test may take before the watchdog stops it. A correct pool
/// needs a few milliseconds; a wrong one at most one [`PATIENCE`] wait.
const WATCHDOG: Duration = Duration::from_secs(3);
/// How long a read waits at the rendezvous for the other reads the pool
/// should be running alongside it. A correct pool needs microseconds.
const PATIENCE: Duration = Duration::from_secs(1);
const HUNG: &str = "The pool never finished: `read_all_with` did not return. Something waits \
    forever: a worker that never leaves its loop, or a deadlock.\n\
    Try: every worker's loop must end once no file is left. With a channel, drop the Sender \
    (`drop(tx)`) after queueing the files, or `for path in rx` waits for more forever; \
    `thread::scope` only returns when every thread spawned in it has ended.";

fn workers(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("the suite uses at least one worker")
}

/// "1 file", "3 files".
fn count(k: usize, what: &str) -> String {
    if k == 1 {
        format!("1 {what}")
    } else {
        format!("{k} {what}s")
    }
}

/// "was" for one, "were" for more.
fn was(k: usize) -> &'static str {
    if k == 1 {
        "was"
    } else {
        "were"
    }
}

/// At most `shown` items of a list, so a 40-item mismatch stays readable.
fn preview<T: Debug>(items: &[T], shown: usize) -> String {
    if items.len() <= shown {
        return format!("{items:?}");
    }
    let head: Vec<String> = items[..shown].iter().map(|x| format!("{x:?}")).collect();
    format!("[{}, …] ({} in all)", head.join(", "), items.len())
}

/// A result as the messages show it, cut short.
fn show(result: &io::Result<String>) -> String {
    fn cut(text: &str, max: usize) -> String {
        if text.chars().count() <= max {
            return text.to_string();
        }
        let head: String = text.chars().take(max).collect();
        format!("{head}…")
    }
    match result {
        Ok(text) => format!("Ok({:?})", cut(text, 30)),
        Err(e) => format!("Err({:?}: {})", e.kind(), cut(&e.to_string(), 50)),
    }
}

// ---------------------------------------------------------------------------
// The probe: an instrumented reader.

/// The order the probe lets reads finish in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Finish {
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
struct Setup {
    files: usize,
    workers: usize,
    failing: Option<usize>,
    finish: Finish,
}

impl Setup {
    fn new(files: usize, workers: usize) -> Self {
        Setup {
            files,
            workers,
            failing: None,
            finish: Finish::Freely,
        }
    }
}

fn label(i: usize) -> String {
    format!("file-{i}.txt")
}

fn contents(i: usize) -> String {
    format!("contents of file-{i}")
}

/// The moment the probe stopped waiting for the pool.
#[derive(Clone, Copy, Debug)]
struct Stall {
    /// Reads in flight when the probe gave up waiting.
    reading: usize,
    /// Files whose read had not started yet.
    waiting: usize,
}

#[derive(Default)]
struct State {
    calls: Vec<usize>,
    strangers: Vec<PathBuf>,
    in_flight: usize,
    peak: usize,
    started: usize,
    /// Bumped each time the rendezvous is reached: a waiter is released when
    /// the generation it saw has passed, even if the count has dropped again.
    generation: u64,
    gave_up: bool,
    stall: Option<Stall>,
    held_up: Option<Stall>,
    threads: HashSet<ThreadId>,
    finished: Vec<usize>,
}

struct Probe {
    setup: Setup,
    index: HashMap<PathBuf, usize>,
    state: Mutex<State>,
    wake: Condvar,
}

/// What the probe saw, handed back to the test's thread.
struct Report {
    calls: Vec<usize>,
    strangers: Vec<PathBuf>,
    peak: usize,
    threads: usize,
    stall: Option<Stall>,
    /// Set when files waited behind the slow first file (`Finish::SlowFirst`).
    held_up: Option<Stall>,
    finished: Vec<usize>,
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
        Probe {
            setup,
            index,
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

    /// Waits (at most [`PATIENCE`], and only once per test) while `blocked`.
    /// Returns the guard and whether the wait ran out.
    fn wait_while<'a>(
        &self,
        state: MutexGuard<'a, State>,
        blocked: impl Fn(&State) -> bool,
    ) -> (MutexGuard<'a, State>, bool) {
        if state.gave_up || !blocked(&state) {
            return (state, false);
        }
        let (mut state, _) = self
            .wake
            .wait_timeout_while(state, PATIENCE, |s| !s.gave_up && blocked(s))
            .unwrap_or_else(PoisonError::into_inner);
        if state.gave_up || !blocked(&state) {
            return (state, false);
        }
        // A miss: note it, and release everyone for the rest of the test.
        state.gave_up = true;
        self.wake.notify_all();
        (state, true)
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        let n = self.setup.files;
        let target = self.setup.workers.min(n);
        let mut s = self.lock();
        let Some(&i) = self.index.get(path) else {
            s.strangers.push(path.to_path_buf());
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not one of the test's paths",
            ));
        };
        s.calls[i] += 1;
        s.started += 1;
        s.in_flight += 1;
        s.peak = s.peak.max(s.in_flight);
        s.threads.insert(thread::current().id());

        // The rendezvous.
        if s.in_flight >= target || s.started >= n {
            s.generation += 1;
            self.wake.notify_all();
        } else {
            let seen = s.generation;
            let (guard, missed) = self.wait_while(s, |s| s.generation == seen);
            s = guard;
            if missed {
                s.stall = Some(Stall {
                    reading: s.in_flight,
                    waiting: n.saturating_sub(s.started),
                });
            }
        }

        if self.setup.finish == Finish::SlowFirst && i == 0 {
            let (guard, missed) = self.wait_while(s, |s| s.finished.len() < n - 1);
            s = guard;
            if missed {
                s.held_up = Some(Stall {
                    reading: s.in_flight,
                    waiting: n.saturating_sub(s.started),
                });
            }
        }
        if self.setup.finish == Finish::Reversed {
            let turn = n - 1 - i;
            let (guard, _) = self.wait_while(s, |s| s.finished.len() < turn);
            s = guard;
            if turn > 0 {
                // Let the thread whose read finished just before hand its
                // result over first, so "finish order" is really the order.
                drop(s);
                thread::sleep(Duration::from_millis(2));
                s = self.lock();
            }
        }

        s.in_flight -= 1;
        s.finished.push(i);
        self.wake.notify_all();
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
        let s = self.lock();
        Report {
            calls: s.calls.clone(),
            strangers: s.strangers.clone(),
            peak: s.peak,
            threads: s.threads.len(),
            stall: s.stall,
            held_up: s.held_up,
            finished: s.finished.clone(),
        }
    }
}

/// Runs `read_all_with` on the probe's files, under the watchdog.
#[track_caller]
fn run_probe(setup: Setup) -> (Vec<io::Result<String>>, Report) {
    within(WATCHDOG, HUNG, move || {
        let probe = Probe::new(setup);
        let paths = probe.paths();
        let results = read_all_with(&paths, workers(setup.workers), |path| probe.read(path));
        (results, probe.report())
    })
}

/// What a slot should hold.
enum Want {
    Text(String),
    Error(io::ErrorKind, &'static str),
}

impl Want {
    fn matches(&self, got: &io::Result<String>) -> bool {
        match (self, got) {
            (Want::Text(want), Ok(text)) => want == text,
            (Want::Error(kind, _), Err(e)) => e.kind() == *kind,
            _ => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Want::Text(text) => show(&Ok(text.clone())),
            Want::Error(kind, why) => format!("an error of kind {kind:?} ({why})"),
        }
    }
}

fn probe_wants(setup: Setup) -> Vec<Want> {
    (0..setup.files)
        .map(|i| {
            if setup.failing == Some(i) {
                Want::Error(
                    io::ErrorKind::PermissionDenied,
                    "the error the reader returned, passed on unchanged",
                )
            } else {
                Want::Text(contents(i))
            }
        })
        .collect()
}

/// Every path read exactly once, and no other path.
#[track_caller]
fn judge_calls(setup: Setup, report: &Report) {
    let n = setup.files;
    if let Some(stranger) = report.strangers.first() {
        fail!(
            "your code called `read` with {stranger:?}, which is not one of the {n} paths it \
             was given.";
            try = "call `read(path)` with the paths from `paths`, each exactly once."
        );
    }
    let twice: Vec<String> = (0..n)
        .filter(|&i| report.calls[i] > 1)
        .map(|i| format!("{} ({} times)", label(i), report.calls[i]))
        .collect();
    if !twice.is_empty() {
        fail!(
            "some files were read more than once: {}.",
            preview(&twice, 5);
            try = "hand out every index exactly once: `next.fetch_add(1, Ordering::Relaxed)` \
                   gives each worker a different one; a separate load then store can give two \
                   workers the same file."
        );
    }
    let never: Vec<String> = (0..n)
        .filter(|&i| report.calls[i] == 0)
        .map(label)
        .collect();
    if never.is_empty() {
        return;
    }
    if let Some(f) = setup.failing.filter(|&f| report.calls[f] > 0) {
        fail!(
            "after {} failed, {} of the {n} files {} never read ({}): the pool stopped \
             reading after the error.",
            label(f),
            never.len(),
            was(never.len()),
            preview(&never, 5);
            try = "an error is a result like any other: store it in its file's slot and let \
                   the worker go on with the next file."
        );
    }
    fail!(
        "{} of the {n} files {} never read: {}.",
        never.len(),
        was(never.len()),
        preview(&never, 5);
        try = "every path must be read once: keep each worker taking the next file until \
               none is left."
    );
}

/// One result per file, each in its file's slot.
#[track_caller]
fn judge_results(
    what: &str,
    labels: &[String],
    wants: &[Want],
    got: &[io::Result<String>],
    finished: Option<&[usize]>,
) {
    let n = wants.len();
    check!(
        got.len() == n,
        "{what} returned {} results for {n} files.",
        got.len();
        try = "return exactly one result per path, in the order of `paths`."
    );
    let wrong: Vec<usize> = (0..n).filter(|&i| !wants[i].matches(&got[i])).collect();
    let Some(&first) = wrong.first() else {
        return;
    };
    // Right contents, wrong slots? Then the results were kept in some other
    // order than the input's: almost always the order the reads finished.
    let slot_of: Vec<Option<usize>> = got
        .iter()
        .map(|g| (0..n).find(|&j| wants[j].matches(g)))
        .collect();
    let mut seen: Vec<usize> = slot_of.iter().flatten().copied().collect();
    seen.sort_unstable();
    if seen == (0..n).collect::<Vec<_>>() {
        let order: Vec<&str> = slot_of
            .iter()
            .map(|j| labels[j.expect("a permutation")].as_str())
            .collect();
        let finish_note = finished.map_or_else(String::new, |f| {
            let f: Vec<&str> = f.iter().map(|&i| labels[i].as_str()).collect();
            format!(" The reads finished as {}.", preview(&f, 6))
        });
        fail!(
            "{what} returned the right results in the wrong order: {} instead of the input \
             order {}.{finish_note} The results were kept in the order the reads finished, not \
             each in its own file's slot.",
            preview(&order, 6),
            preview(labels, 6);
            try = "remember each file's index with its result (`(i, result)` pairs, or a slot \
                   per file) and put every result into slot i."
        );
    }
    fail!(
        "{what}: the result for {} (slot {first}) is {}, expected {}.{}",
        labels[first],
        show(&got[first]),
        wants[first].describe(),
        if wrong.len() > 1 {
            format!(" ({} of the {n} slots are wrong.)", wrong.len())
        } else {
            String::new()
        };
        try = "return `read`'s own result for each path, in its slot: `Ok(text)` or the error \
               it gave."
    );
}

/// At most `workers` threads, at most `workers` reads at once, and all of
/// them busy while files are waiting.
#[track_caller]
fn judge_pool(setup: Setup, report: &Report) {
    let (n, w) = (setup.files, setup.workers);
    let target = w.min(n);
    let peak = report.peak;
    if report.threads > w {
        fail!(
            "{} different threads read the {n} files (up to {peak} at the same time), but with \
             workers = {w} at most {w} threads may do the reading: a new thread for every file \
             (or for every batch of files) is not a pool.",
            report.threads;
            try = "start `min(workers, paths.len())` threads once, and let each one loop: take \
                   the next file, read it, keep the result, until no file is left."
        );
    }
    check!(
        peak <= w,
        "up to {peak} reads ran at the same time, but workers = {w}.";
        try = "run the reads only on the `workers` threads of the pool."
    );
    if peak < target {
        if peak == 1 {
            fail!(
                "the {n} files were read one after another: never more than 1 read at a time, \
                 though workers = {w} allows {target} at once (the grader waited {} for a \
                 second read to start).",
                fmt_duration(PATIENCE);
                try = "read on `min(workers, paths.len())` threads at once: spawn them all \
                       (`std::thread::scope`) before joining any; a plain loop, or a thread \
                       joined right after it is spawned, reads one file at a time."
            );
        }
        fail!(
            "at most {peak} files were read at once, though workers = {w} and {n} files allow \
             {target} at the same time (the grader waited {} for more).",
            fmt_duration(PATIENCE);
            try = "start `min(workers, paths.len())` worker threads, and keep each one busy \
                   while files are left."
        );
    }
    if let Some(stall) = report.stall {
        fail!(
            "at one point only {} {} running while {} {} still waiting, though {target} \
             may run at once (the grader waited {}): some workers sat idle with work left.",
            count(stall.reading, "read"),
            was(stall.reading),
            count(stall.waiting, "file"),
            was(stall.waiting),
            fmt_duration(PATIENCE);
            try = "{}", TAKE_THE_NEXT_FILE
        );
    }
    if let Some(held) = report.held_up {
        fail!(
            "{} was slow (the grader held it until every other file was read), and {} \
             waited behind it without ever starting, while only {} of the {w} workers kept \
             reading (the grader waited {}): those files were queued behind the slow one.",
            label(0),
            count(held.waiting, "file"),
            held.reading,
            fmt_duration(PATIENCE);
            try = "{}", TAKE_THE_NEXT_FILE
        );
    }
}

const TAKE_THE_NEXT_FILE: &str = "hand out one file at a time: a free worker takes the next \
    file (a shared `AtomicUsize` index, a `Mutex`ed queue or a channel). Splitting the list \
    into fixed chunks up front, or rayon's parallel iterators without `.with_max_len(1)`, \
    queue files behind a slow one while other workers idle.";

/// The three checks every probe test makes.
#[track_caller]
fn judge_probe(setup: Setup) {
    let (got, report) = run_probe(setup);
    judge_calls(setup, &report);
    let labels: Vec<String> = (0..setup.files).map(label).collect();
    let what = format!(
        "read_all_with({} files, workers = {})",
        setup.files, setup.workers
    );
    judge_results(
        &what,
        &labels,
        &probe_wants(setup),
        &got,
        Some(&report.finished),
    );
    judge_pool(setup, &report);
}

// ---------------------------------------------------------------------------
// Real files.

enum Content {
    Text(&'static str),
    Bytes(&'static [u8]),
    Missing,
}

/// Writes the files into a fresh temporary folder (missing ones are not
/// written) and reads them all with `read_all` under the watchdog.
#[track_caller]
fn read_real_files(files: &[(&str, Content)], pool: usize) -> Vec<io::Result<String>> {
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
    let got = within(WATCHDOG, HUNG, move || read_all(&paths, workers(pool)));
    drop(dir);
    got
}

#[track_caller]
fn judge_real(files: &[(&str, Content)], pool: usize) {
    let got = read_real_files(files, pool);
    let labels: Vec<String> = files.iter().map(|(name, _)| name.to_string()).collect();
    let wants: Vec<Want> = files
        .iter()
        .map(|(_, content)| match content {
            Content::Text(text) => Want::Text(text.to_string()),
            Content::Bytes(_) => Want::Error(
                io::ErrorKind::InvalidData,
                "not UTF-8: what `std::fs::read_to_string` says",
            ),
            Content::Missing => Want::Error(
                io::ErrorKind::NotFound,
                "no such file: what `std::fs::read_to_string` says",
            ),
        })
        .collect();
    let what = format!("read_all({} files, workers = {pool})", files.len());
    judge_results(&what, &labels, &wants, &got, None);
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn read_all_reads_every_file_in_order() {
    judge_real(
        &[
            ("a.txt", Content::Text("the first file\n")),
            ("b.txt", Content::Text("")),
            ("c.txt", Content::Text("héllo wörld ✓\nsecond line\n")),
            ("d.txt", Content::Text("4")),
            (
                "e.txt",
                Content::Text("the last file, a little longer than the others\n"),
            ),
        ],
        2,
    );
}

#[test]
fn missing_and_invalid_files_get_their_own_errors() {
    judge_real(
        &[
            ("notes.txt", Content::Text("some notes\n")),
            ("missing.txt", Content::Missing),
            ("data.txt", Content::Text("1 2 3\n")),
            ("latin1.txt", Content::Bytes(b"caf\xe9 au lait\n")),
            ("todo.txt", Content::Text("- finish exercise 4\n")),
            ("end.txt", Content::Text("the end\n")),
        ],
        3,
    );
}

#[test]
fn four_workers_read_ten_files_together() {
    judge_probe(Setup::new(10, 4));
}

#[test]
fn results_keep_the_input_order() {
    // All five reads in flight, finishing last file first.
    judge_probe(Setup {
        finish: Finish::Reversed,
        ..Setup::new(5, 5)
    });
}

#[test]
fn a_slow_file_does_not_hold_up_the_others() {
    // file-0 finishes only after the 7 others: the second worker must read them all.
    judge_probe(Setup {
        finish: Finish::SlowFirst,
        ..Setup::new(8, 2)
    });
}

#[test]
fn one_worker_reads_one_file_at_a_time() {
    judge_probe(Setup::new(5, 1));
}

#[test]
fn fewer_files_than_workers() {
    judge_probe(Setup::new(3, 8));
}

#[test]
fn no_files_means_no_reads() {
    let setup = Setup::new(0, 4);
    let (got, report) = run_probe(setup);
    check!(
        got.is_empty(),
        "read_all_with(no paths, workers = 4) returned {} results, expected none.",
        got.len();
        try = "one result per path: no paths, an empty Vec."
    );
    check!(
        report.strangers.is_empty(),
        "read_all_with(no paths, workers = 4) called `read` {} times.",
        report.strangers.len();
        try = "with no paths there is nothing to read."
    );
}

#[test]
fn forty_files_stay_within_four_workers() {
    judge_probe(Setup::new(40, 4));
}

#[test]
fn an_error_does_not_stop_the_other_reads() {
    // One worker, so a pool that gives up after an error cannot hide it.
    judge_probe(Setup {
        failing: Some(2),
        ..Setup::new(6, 1)
    });
}
