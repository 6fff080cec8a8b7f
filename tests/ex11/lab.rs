//! The instrumentation of `run_jobs`: the jobs, and the *lab*, a temporary
//! folder per test.
//!
//! The lab holds a symlink to the provided worker program, which the
//! student's code is told to start, and an `ex11-pids` folder, where every
//! worker started through that symlink writes a file named after its pid
//! first thing, then one letter per job it reads (`r`), per answer it has
//! flushed (`a`), and before it dies on purpose (`x`). So the suite knows
//! every process the student's code started, how far each got, and no
//! environment variable is shared between tests running in parallel.
//!
//! While `run_jobs` runs, the *monitor* watches those files: when nothing
//! moves for [`STALL`] and no worker is in the middle of a job, the call is
//! stuck. The monitor notes what every worker had done, kills the workers
//! (which frees a call that waits for them) and reports the hang. After
//! `run_jobs` returns, the *census* asks the OS about each pid: waited for
//! (good), a zombie (never waited for), or still running (killed, and
//! reported).

use std::any::Any;
use std::fs;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use ex11::{run_jobs, JobError};
use grading::{child_state, kill_child, ms, preview, secs, within, Cause, ChildState, Diagnosis};

/// The provided worker program, built by cargo next to the tests.
const WORKER: &str = env!("CARGO_BIN_EXE_ex11-worker");
/// Real time a `run_jobs` test may take. A correct solution needs a few tens
/// of milliseconds; one that runs the jobs one at a time, one
/// [`MEET_PATIENCE`] more; one that is stuck, [`STALL`] more. Only a call
/// that keeps its workers busy forever gets this far.
const WATCHDOG: Duration = secs(5);
/// Once a test of this run has hung, the others wait less: the diagnosis is
/// known, and a student should not wait half a minute for the verdict. But
/// never less than the monitor needs to see a stall after a `meet` job gave
/// up (MEET_PATIENCE + STALL + AFTER_KILL, and room for a busy machine):
/// otherwise the watchdog, which cannot tell why, would speak instead.
const WATCHDOG_AFTER_A_HANG: Duration = ms(4000);
/// How long a `meet` job waits for the others (as in `src/bin/worker.rs`).
pub const MEET_PATIENCE: Duration = secs(2);
/// A call during which no worker reads a job or answers one for this long,
/// while none is in the middle of a job, is stuck. (A correct call answers
/// a job every few milliseconds; a `meet` in progress counts as a job.)
pub const STALL: Duration = secs(1);
/// How often the monitor looks at the workers' files.
pub const TICK: Duration = ms(20);
/// How long a stuck call gets to return once its workers are killed.
const AFTER_KILL: Duration = ms(300);
/// How long a worker may take to exit after `run_jobs` returned, before it
/// counts as "still running" rather than as an unwaited zombie.
pub const EXIT_GRACE: Duration = ms(1500);

static A_TEST_HUNG: AtomicBool = AtomicBool::new(false);

/// The watchdog's diagnosis. Where the monitor watches the workers (unix),
/// only a call that keeps them busy gets this far: a loop that never ends.
fn hung() -> Diagnosis {
    if cfg!(unix) {
        Diagnosis::new(
            "`run_jobs` was still busy when the watchdog stopped it: until then the grader never \
             saw its workers all idle for a while (they kept reading jobs, being started, or \
             working on one). Usually a job that is retried after its worker crashed: `crash` \
             kills every worker it is sent to, so retrying it never ends; or a loop that starts \
             worker after worker.",
        )
        .candidates([Cause::BusyLoop])
        .advice(
            "a job whose worker died gets Err(JobError::WorkerCrashed) and is never sent again; \
             start a fresh worker only for the next job.",
        )
    } else {
        Diagnosis::new(
            "`run_jobs` never returned. Likely causes, most likely first: `child.wait()` while \
             the worker's stdin is still open (a worker exits only once its stdin is closed); a \
             job written into a `BufWriter` that is never flushed (the worker never gets it); a \
             loop that reads until an answer comes, which never ends once the worker has died \
             (`read_line` then returns Ok(0) every time); a job retried after its worker \
             crashed. (On this system the grader cannot see what the workers were doing, so it \
             cannot tell which.)",
        )
        .candidates([
            Cause::ChannelNeverClosed,
            Cause::NotFlushed,
            Cause::BusyLoop,
        ])
        .advice(
            "close the stdin before `wait()`, flush after every job, treat end of file as a \
             crash, and never resend a job whose worker died.",
        )
    }
}

pub fn nonzero(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("the suite uses at least one worker")
}

// ---------------------------------------------------------------------------
// Jobs and what their answers should be.

#[derive(Clone, Debug)]
pub enum Job {
    /// Collatz steps of a number: `ok <pid> collatz(n)=steps`.
    Number(u64),
    /// `meet n dir`: `ok <pid> met n/n`, or `ok <pid> gave-up k/n`.
    Meet { n: usize, dir: PathBuf },
    /// The worker dies without an answer.
    Crash,
    /// The worker writes the answer to `n` without its last character and
    /// without a line end, then dies.
    Cut(u64),
    /// A job the worker does not know: `error: unknown job "..."`.
    Unknown(&'static str),
}

pub use Job::{Crash, Cut, Number, Unknown};

pub const CRASHED: &str = "Err(WorkerCrashed)";
pub const BAD_REPLY: &str = "Err(BadReply(..))";

impl Job {
    pub fn line(&self) -> String {
        match self {
            Number(n) => n.to_string(),
            Job::Meet { n, dir } => format!("meet {n} {}", dir.display()),
            Crash => "crash".to_string(),
            Cut(n) => format!("cut {n}"),
            Unknown(text) => text.to_string(),
        }
    }

    /// The job as the messages show it (a meet without its long folder).
    pub fn short(&self) -> String {
        match self {
            Job::Meet { n, .. } => format!("meet {n} …"),
            other => other.line(),
        }
    }

    /// Whether the worker dies on this job.
    pub fn dies(&self) -> bool {
        matches!(self, Crash | Cut(_))
    }

    /// The expected result, with the pid left out.
    pub fn want(&self) -> String {
        match self {
            Number(n) => format!("collatz({n})={}", collatz(*n)),
            Job::Meet { n, .. } => format!("met {n}/{n}"),
            Crash | Cut(_) => CRASHED.to_string(),
            Unknown(_) => BAD_REPLY.to_string(),
        }
    }

    /// What the worker answers to this job, as it says it.
    pub fn answer(&self) -> String {
        match self {
            Unknown(text) => format!("error: unknown job {text:?}"),
            Crash => "(nothing: it dies)".to_string(),
            Cut(n) => {
                let whole = Number(*n).answer();
                whole[..whole.len() - 1].to_string()
            }
            other => format!("ok <pid> {}", other.want()),
        }
    }
}

fn collatz(mut n: u64) -> u32 {
    let mut steps = 0;
    while n != 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

/// The pid and the rest of a result `"<pid> <answer>"`, if it has that shape.
pub fn split_pid(text: &str) -> Option<(u32, &str)> {
    let (pid, rest) = text.split_once(' ')?;
    Some((pid.parse().ok()?, rest))
}

/// A result as compared with [`Job::want`]: without the pid.
pub fn key(result: &Result<String, JobError>) -> String {
    match result {
        Ok(text) => split_pid(text)
            .map_or(text.as_str(), |(_, rest)| rest)
            .to_string(),
        Err(JobError::WorkerCrashed) => CRASHED.to_string(),
        Err(JobError::BadReply(_)) => BAD_REPLY.to_string(),
    }
}

pub fn jobs_preview(jobs: &[Job]) -> String {
    let shown: Vec<String> = jobs.iter().map(Job::short).collect();
    preview(&shown, 6).replace('"', "")
}

pub fn meet(n: usize, dir: &Path) -> Job {
    Job::Meet {
        n,
        dir: dir.to_path_buf(),
    }
}

pub fn meets(n: usize, dir: &Path) -> Vec<Job> {
    (0..n).map(|_| meet(n, dir)).collect()
}

// ---------------------------------------------------------------------------
// What the workers did.

/// What one worker process did, from its file in the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerLog {
    pub pid: u32,
    /// Job lines it read.
    pub received: usize,
    /// Answers it wrote and flushed.
    pub answered: usize,
    /// It died on purpose (a `crash` or `cut` job).
    pub died: bool,
}

impl WorkerLog {
    /// In the middle of a job: read it, not answered yet, alive.
    fn busy(&self) -> bool {
        self.received > self.answered && !self.died
    }
}

/// A call that got stuck: what the monitor saw.
pub struct Hang {
    /// Every worker started, as it was when the monitor gave up.
    pub workers: Vec<WorkerLog>,
    /// Whether `run_jobs` returned (or panicked) once the workers were killed.
    pub returned_after_kill: bool,
}

type Outcome = Result<Vec<Result<String, JobError>>, Box<dyn Any + Send>>;

/// What one `run_jobs` call gave, and what became of its processes.
pub struct Run {
    pub workers: usize,
    pub jobs: Vec<Job>,
    pub outcome: Result<Vec<Result<String, JobError>>, Hang>,
    pub census: Census,
    /// When each worker process was busy, as the monitor saw it (see
    /// [`Activity`]).
    pub activity: Activity,
}

/// When each worker process was busy, as the monitor saw it: from one look
/// at the workers' files to the next ([`TICK`]), a worker that read a job in
/// between, or was in the middle of one, counts as busy. One lane per worker
/// process, in the order they read their first job; those that never read
/// one come last, with no span. Only for the pictures: no verdict reads it.
#[derive(Default)]
pub struct Activity {
    /// Per worker, (pid, busy spans since the call started).
    workers: Vec<(u32, Vec<(Duration, Duration)>)>,
    /// The last look, and what each worker had read by then.
    last: Duration,
    read: Vec<(u32, usize)>,
}

impl Activity {
    /// One look at the workers, `at` after the call started.
    fn look(&mut self, at: Duration, logs: &[WorkerLog]) {
        for w in logs {
            let before = self
                .read
                .iter()
                .find(|(pid, _)| *pid == w.pid)
                .map_or(0, |r| r.1);
            let k = match self.workers.iter().position(|(pid, _)| *pid == w.pid) {
                Some(k) => k,
                None => {
                    self.workers.push((w.pid, Vec::new()));
                    self.workers.len() - 1
                }
            };
            if w.received > before || w.busy() {
                let spans = &mut self.workers[k].1;
                match spans.last_mut() {
                    Some(span) if span.1 == self.last => span.1 = at,
                    _ => spans.push((self.last, at)),
                }
            }
        }
        self.read = logs.iter().map(|w| (w.pid, w.received)).collect();
        self.last = at;
    }

    /// The lanes: busy spans per worker, those that worked first in the
    /// order of their first job, then the idle ones.
    pub fn lanes(&self) -> Vec<Vec<(Duration, Duration)>> {
        let mut lanes: Vec<Vec<(Duration, Duration)>> =
            self.workers.iter().map(|(_, s)| s.clone()).collect();
        lanes.sort_by_key(|spans| spans.first().map_or(Duration::MAX, |s| s.0));
        lanes
    }
}

/// Every process the student's code started through the lab, after the call.
#[derive(Default)]
pub struct Census {
    /// False where the OS cannot tell (not unix): the zombie check is skipped.
    pub observed: bool,
    pub started: Vec<u32>,
    pub zombies: Vec<u32>,
    /// Still running after [`EXIT_GRACE`]: killed by the grader.
    pub running: Vec<u32>,
}

// ---------------------------------------------------------------------------
// The lab.

pub struct Lab {
    dir: tempfile::TempDir,
    exe: PathBuf,
    pids: PathBuf,
    meets: usize,
}

impl Lab {
    pub fn new() -> Lab {
        let dir = tempfile::Builder::new()
            .prefix("ex11-lab-")
            .tempdir()
            .expect("the grader could not make a temporary folder");
        let pids = dir.path().join("ex11-pids");
        fs::create_dir(&pids).expect("the grader could not make a folder");
        #[cfg(unix)]
        let exe = {
            let link = dir.path().join("ex11-worker");
            std::os::unix::fs::symlink(WORKER, &link)
                .expect("the grader could not link to the worker program");
            link
        };
        #[cfg(not(unix))]
        let exe = PathBuf::from(WORKER);
        Lab {
            dir,
            exe,
            pids,
            meets: 0,
        }
    }

    /// A fresh, empty folder for one group of `meet` jobs.
    pub fn meet_dir(&mut self) -> PathBuf {
        self.meets += 1;
        let dir = self.dir.path().join(format!("meet-{}", self.meets));
        fs::create_dir(&dir).expect("the grader could not make a folder");
        dir
    }

    /// Calls `run_jobs` under the watchdog and the monitor, then takes the
    /// census. A panic of the student's code comes back beside the run, for
    /// the test's own thread to explain.
    #[track_caller]
    pub fn run(&self, workers: usize, jobs: Vec<Job>) -> (Run, Option<Box<dyn Any + Send>>) {
        let exe = self.exe.clone();
        let pids = self.pids.clone();
        let lines: Vec<String> = jobs.iter().map(Job::line).collect();
        let limit = if A_TEST_HUNG.load(Ordering::SeqCst) {
            WATCHDOG_AFTER_A_HANG
        } else {
            WATCHDOG
        };
        // If the watchdog fires, kill the workers the stuck call left behind.
        let guard = KillOnHang(self);
        let (watched, activity) = within(limit, hung(), move || {
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("graded-work".into())
                .spawn(move || {
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                        run_jobs(&exe, nonzero(workers), &lines)
                    }));
                    let _ = tx.send(outcome);
                })
                .expect("the grader could not start a thread");
            let mut activity = Activity::default();
            let watched = watch(&rx, &pids, &mut activity);
            (watched, activity)
        });
        std::mem::forget(guard);
        let (outcome, panicked) = match watched {
            Ok(Ok(results)) => (Ok(results), None),
            Ok(Err(payload)) => (Ok(Vec::new()), Some(payload)),
            Err(hang) => {
                A_TEST_HUNG.store(true, Ordering::SeqCst);
                (Err(hang), None)
            }
        };
        let grace = if panicked.is_some() || outcome.is_err() {
            Duration::ZERO
        } else {
            EXIT_GRACE
        };
        let run = Run {
            workers,
            census: self.census(grace),
            jobs,
            outcome,
            activity,
        };
        (run, panicked)
    }

    /// What became of every worker started through this lab. A worker still
    /// running gets `grace` to exit (a dropped `Child` closes its stdin, and
    /// the worker then exits, unwaited); after that it is killed.
    fn census(&self, grace: Duration) -> Census {
        let mut census = Census {
            observed: true,
            started: logs(&self.pids).iter().map(|w| w.pid).collect(),
            ..Census::default()
        };
        let mut pending = Vec::new();
        for &pid in &census.started {
            match child_state(pid) {
                None => {
                    census.observed = false;
                    return census;
                }
                Some(ChildState::Gone) => {}
                Some(ChildState::WasZombie) => census.zombies.push(pid),
                Some(ChildState::Running) => pending.push(pid),
            }
        }
        let deadline = Instant::now() + grace;
        while !pending.is_empty() && Instant::now() < deadline {
            thread::sleep(ms(5));
            pending.retain(|&pid| match child_state(pid) {
                Some(ChildState::Running) => true,
                Some(ChildState::WasZombie) => {
                    census.zombies.push(pid);
                    false
                }
                _ => false,
            });
        }
        for pid in pending {
            if kill_child(pid) {
                census.running.push(pid);
            }
        }
        census
    }
}

/// Dropped only while the watchdog's panic unwinds: remembers that a test
/// hung, and kills the workers the abandoned call still holds.
struct KillOnHang<'a>(&'a Lab);

impl Drop for KillOnHang<'_> {
    fn drop(&mut self) {
        A_TEST_HUNG.store(true, Ordering::SeqCst);
        self.0.census(Duration::ZERO);
    }
}

/// Whether process `pid` is running or waiting for a core (state `R` in
/// `/proc/<pid>/stat`), rather than asleep or gone. `false` where unknown.
fn runnable(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, after_name) = stat.rsplit_once(')')?;
            after_name
                .split_whitespace()
                .next()
                .map(|state| state == "R")
        })
        .unwrap_or(false)
}

/// Every worker's file in `pids`, by pid.
fn logs(pids: &Path) -> Vec<WorkerLog> {
    let mut logs: Vec<WorkerLog> = fs::read_dir(pids)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let pid = e.file_name().to_str()?.parse().ok()?;
                    let marks = fs::read(e.path()).unwrap_or_default();
                    let count = |c: u8| marks.iter().filter(|&&m| m == c).count();
                    Some(WorkerLog {
                        pid,
                        received: count(b'r'),
                        answered: count(b'a'),
                        died: count(b'x') > 0,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    logs.sort_by_key(|w| w.pid);
    logs
}

/// Waits for the student's call, watching the workers' files: returns the
/// call's outcome, or a [`Hang`] once nothing moved for [`STALL`] while no
/// worker was in the middle of a job. Runs inside the watchdog.
fn watch(done: &Receiver<Outcome>, pids: &Path, activity: &mut Activity) -> Result<Outcome, Hang> {
    if !cfg!(unix) {
        // The workers leave no files where the lab cannot link to them:
        // nothing to watch, the watchdog alone stops a stuck call.
        return done
            .recv()
            .map_err(|_| panic!("the grader lost track of the thread running run_jobs"));
    }
    let origin = Instant::now();
    let mut last = logs(pids);
    let mut since = Instant::now();
    loop {
        match done.recv_timeout(TICK) {
            Ok(outcome) => {
                activity.look(origin.elapsed(), &logs(pids));
                return Ok(outcome);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the grader lost track of the thread running run_jobs")
            }
        }
        let now = logs(pids);
        activity.look(origin.elapsed(), &now);
        // A worker that is running or waiting for a core (not asleep on its
        // stdin) has work in hand: on a loaded machine it may just not have
        // logged it yet. Only workers all asleep, with nothing logged for
        // STALL, make a stall.
        if now != last || now.iter().any(|w| w.busy() || runnable(w.pid)) {
            last = now;
            since = Instant::now();
            continue;
        }
        if since.elapsed() < STALL {
            continue;
        }
        // Stuck. Kill the workers: a call that waits for them returns.
        for worker in &now {
            kill_child(worker.pid);
        }
        let returned_after_kill = done.recv_timeout(AFTER_KILL).is_ok();
        return Err(Hang {
            workers: now,
            returned_after_kill,
        });
    }
}
