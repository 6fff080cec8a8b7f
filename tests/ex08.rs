//! Graded suite for exercise 8 (blocking work inside async).
//!
//! Every test runs the student's code on a current-thread runtime (through
//! `grading::paused`), where one blocked thread freezes every task. Next to
//! it runs the grader's *heartbeat*: a task that answers each ping sent to it
//! over a channel. The blocking `work` handed to `run_blocking_all` is the
//! *probe*; each job
//!
//! 1. notes its thread: a job on the runtime's own thread (a direct call, a
//!    `tokio::spawn`) is a frozen runtime, seen at once, with no waiting;
//! 2. pings the heartbeat and blocks until it answers. It answers in
//!    microseconds while the runtime is free; a runtime whose thread waits
//!    for the job (`join()`, `recv()`, `block_on`) cannot answer, and after
//!    [`PATIENCE`] the job notes that and stops pinging for the whole test;
//! 3. waits at a rendezvous until `min(jobs, MEET)` jobs are in flight (or
//!    every job has started), as in tests/ex04.rs: a correct solution gets
//!    there in microseconds, one that awaits each job before starting the
//!    next never does, and after [`PATIENCE`] the probe notes the miss and
//!    stops waiting for the rest of the test.
//!
//! So "the runtime froze" and "one job at a time" are observations, not
//! timing guesses, and a wrong solution costs at most one wait of each kind.
//! `count_lines` reads a named pipe whose writer (a grader thread) pings the
//! heartbeat while the reader waits for data, before it writes the lines.
//!
//! Why the paused clock is harmless here: while a `spawn_blocking` job runs,
//! tokio does not auto-advance the paused clock, and nothing in this suite
//! waits on tokio's timers: the heartbeat answers pings, it does not tick.

use std::any::Any;
use std::fmt::Debug;
use std::fs;
use std::future::Future;
use std::io::{self, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::Duration;

use ex08::{count_lines, run_blocking_all, JobPanicked};
use futures::FutureExt;
use grading::{check, fail, fmt_duration, paused, student_panic_message};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Real time a test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds; a wrong one at most two [`PATIENCE`]
/// waits (one for the heartbeat, one at the rendezvous).
const WATCHDOG: Duration = Duration::from_secs(5);
/// How long a job waits for the heartbeat's answer, or at the rendezvous for
/// the jobs that should run alongside it. A correct solution needs
/// microseconds.
const PATIENCE: Duration = Duration::from_secs(1);
/// How many jobs must be seen in flight together (fewer if there are fewer).
const MEET: usize = 4;
const HUNG: &str = "`run_blocking_all` never returned. Something waits forever: a JoinHandle \
    or a channel that never completes, or a lock held across an `.await`.\n\
    Try: start every job with `tokio::task::spawn_blocking`, keep the handles in a Vec, then \
    `.await` each handle once.";
const HUNG_LINES: &str = "`count_lines` never returned. Something waits forever.\n\
    Try: `tokio::task::spawn_blocking(move || { /* open, read and count */ }).await`.";
const SPAWN_BLOCKING: &str = "move the blocking call off the runtime: \
    `tokio::task::spawn_blocking(move || work(input))` runs it on tokio's blocking threads, and \
    `.await` on its JoinHandle lets the runtime run other tasks until the job is done.";

// ---------------------------------------------------------------------------
// Small helpers.

/// "1 job", "3 jobs".
fn count(k: usize, what: &str) -> String {
    if k == 1 {
        format!("1 {what}")
    } else {
        format!("{k} {what}s")
    }
}

/// At most `shown` items of a list, so a 100-item mismatch stays readable.
fn preview<T: Debug>(items: &[T], shown: usize) -> String {
    if items.len() <= shown {
        return format!("{items:?}");
    }
    let head: Vec<String> = items[..shown].iter().map(|x| format!("{x:?}")).collect();
    format!("[{}, …] ({} in all)", head.join(", "), items.len())
}

/// `text`, cut short after `max` characters.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…")
}

/// The text of a panic payload.
fn payload_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_string())
}

/// Awaits the student's future, catching a panic so the test can explain
/// it. A `todo!()` is passed on, so the watchdog reports "NOT STARTED".
async fn guarded<F: Future>(fut: F) -> Result<F::Output, String> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(output) => Ok(output),
        Err(payload) => {
            let text = payload_text(payload.as_ref());
            if text.starts_with("not yet implemented") || text.starts_with("not implemented") {
                panic::resume_unwind(payload);
            }
            Err(text)
        }
    }
}

/// Explains a panic that came out of the student's function.
#[track_caller]
fn judge_panic(what: &str, text: &str) -> ! {
    if text.contains("multi-threaded runtime") {
        fail!(
            "{what} panicked with \"{text}\": `tokio::task::block_in_place` only works on a \
             multi-thread runtime, and the tests (like `#[tokio::test]`) use a current-thread \
             one, where the runtime's only thread cannot be given away.";
            try = "{SPAWN_BLOCKING} It works on every kind of runtime."
        );
    }
    let text: Box<dyn Any + Send> = Box::new(text.to_string());
    panic!("\n{}\n", student_panic_message(text.as_ref()));
}

/// Starts the heartbeat on the current runtime: it answers every ping (a
/// reply channel) as soon as the runtime gives it a turn.
fn start_heartbeat(mut pings: UnboundedReceiver<SyncSender<()>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(reply) = pings.recv().await {
            let _ = reply.try_send(());
        }
    })
}

/// What a ping found out.
enum Pong {
    Answered,
    /// No answer within [`PATIENCE`]: the runtime's thread is blocked.
    Silent,
    /// The heartbeat is gone: the runtime already ended the test's future.
    Gone,
}

/// Pings the heartbeat from a blocking thread and waits for the answer.
fn ping(heartbeat: &UnboundedSender<SyncSender<()>>) -> Pong {
    let (reply, answer) = mpsc::sync_channel(1);
    if heartbeat.send(reply).is_err() {
        return Pong::Gone;
    }
    match answer.recv_timeout(PATIENCE) {
        Ok(()) => Pong::Answered,
        Err(RecvTimeoutError::Timeout) => Pong::Silent,
        Err(RecvTimeoutError::Disconnected) => Pong::Gone,
    }
}

// ---------------------------------------------------------------------------
// The probe: the blocking `work` handed to `run_blocking_all`.

/// The order the probe lets jobs finish in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Finish {
    /// As soon as the rendezvous lets them go.
    Freely,
    /// Last job first: job i finishes only after every job after it. Needs
    /// all jobs in flight at once.
    Reversed,
}

#[derive(Clone, Copy)]
struct Setup {
    jobs: usize,
    /// This job panics (after its bookkeeping).
    panicking: Option<usize>,
    finish: Finish,
}

impl Setup {
    fn new(jobs: usize) -> Self {
        Setup {
            jobs,
            panicking: None,
            finish: Finish::Freely,
        }
    }

    fn meet(&self) -> usize {
        MEET.min(self.jobs)
    }
}

fn value(i: usize) -> String {
    format!("result of job {i}")
}

/// The moment the probe stopped waiting at the rendezvous.
#[derive(Clone, Copy, Debug)]
struct Stall {
    /// Jobs in flight when the probe gave up waiting.
    running: usize,
    /// Jobs not started yet.
    waiting: usize,
}

#[derive(Default)]
struct State {
    calls: Vec<usize>,
    strangers: Vec<usize>,
    in_flight: usize,
    peak: usize,
    started: usize,
    /// Bumped each time the rendezvous is reached: a waiter is released when
    /// the generation it saw has passed, even if the count has dropped again.
    generation: u64,
    gave_up: bool,
    stall: Option<Stall>,
    finished: Vec<usize>,
    /// Jobs that ran on the runtime's own thread.
    on_runtime: Vec<usize>,
    /// The job whose ping the heartbeat never answered.
    silent: Option<usize>,
}

struct Probe {
    setup: Setup,
    runtime_thread: ThreadId,
    heartbeat: UnboundedSender<SyncSender<()>>,
    state: Mutex<State>,
    wake: Condvar,
}

/// What the probe saw, handed back to the test's thread.
struct Report {
    calls: Vec<usize>,
    strangers: Vec<usize>,
    peak: usize,
    stall: Option<Stall>,
    finished: Vec<usize>,
    on_runtime: Vec<usize>,
    silent: Option<usize>,
}

impl Probe {
    fn new(setup: Setup, heartbeat: UnboundedSender<SyncSender<()>>) -> Self {
        Probe {
            setup,
            // The probe is made on the thread that runs the runtime.
            runtime_thread: thread::current().id(),
            heartbeat,
            state: Mutex::new(State {
                calls: vec![0; setup.jobs],
                ..State::default()
            }),
            wake: Condvar::new(),
        }
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

    /// One job: the `work` the student's code runs.
    fn job(&self, i: usize) -> String {
        let n = self.setup.jobs;
        if i >= n {
            self.lock().strangers.push(i);
            return format!("job {i} is not one of the test's inputs");
        }
        if thread::current().id() == self.runtime_thread {
            // Blocking here would freeze the heartbeat for good: note it and
            // return at once.
            let mut s = self.lock();
            s.calls[i] += 1;
            s.on_runtime.push(i);
            s.finished.push(i);
            drop(s);
            return self.finish(i);
        }

        // 1. Is the runtime still alive while this job blocks its thread?
        if self.lock().silent.is_none() {
            if let Pong::Silent = ping(&self.heartbeat) {
                let mut s = self.lock();
                s.silent.get_or_insert(i);
            }
        }

        // 2. The rendezvous.
        let mut s = self.lock();
        s.calls[i] += 1;
        s.started += 1;
        s.in_flight += 1;
        s.peak = s.peak.max(s.in_flight);
        if s.in_flight >= self.setup.meet() || s.started >= n {
            s.generation += 1;
            self.wake.notify_all();
        } else {
            let seen = s.generation;
            let (guard, missed) = self.wait_while(s, |s| s.generation == seen);
            s = guard;
            if missed {
                s.stall = Some(Stall {
                    running: s.in_flight,
                    waiting: n.saturating_sub(s.started),
                });
            }
        }

        // 3. Finish in the order the test asks for.
        if self.setup.finish == Finish::Reversed {
            let turn = n - 1 - i;
            let (guard, _) = self.wait_while(s, |s| s.finished.len() < turn);
            s = guard;
            if turn > 0 {
                // Let the job that finished just before hand its result over
                // first, so "finish order" is really the order.
                drop(s);
                thread::sleep(Duration::from_millis(2));
                s = self.lock();
            }
        }
        s.in_flight -= 1;
        s.finished.push(i);
        self.wake.notify_all();
        drop(s);
        self.finish(i)
    }

    fn finish(&self, i: usize) -> String {
        if self.setup.panicking == Some(i) {
            // `resume_unwind` skips the panic hook: no alarming output for a
            // panic the test asked for.
            panic::resume_unwind(Box::new(format!(
                "job {i} panics on purpose (the test checks that only its own slot is lost)"
            )));
        }
        value(i)
    }

    fn report(&self) -> Report {
        let s = self.lock();
        Report {
            calls: s.calls.clone(),
            strangers: s.strangers.clone(),
            peak: s.peak,
            stall: s.stall,
            finished: s.finished.clone(),
            on_runtime: s.on_runtime.clone(),
            silent: s.silent,
        }
    }
}

type Outcome = Result<Vec<Result<String, JobPanicked>>, String>;

/// Runs `run_blocking_all(0..jobs, probe)` on a current-thread runtime next
/// to the heartbeat, under the watchdog.
#[track_caller]
fn run_probe(setup: Setup) -> (Outcome, Report) {
    paused(WATCHDOG, HUNG, move || async move {
        let (heartbeat, pings) = unbounded_channel();
        let beating = start_heartbeat(pings);
        let probe = Arc::new(Probe::new(setup, heartbeat));
        let work = {
            let probe = Arc::clone(&probe);
            move |i: usize| probe.job(i)
        };
        let outcome = guarded(run_blocking_all((0..setup.jobs).collect(), work)).await;
        beating.abort();
        let report = probe.report();
        (outcome, report)
    })
}

// ---------------------------------------------------------------------------
// Judging a probe run.

fn what(setup: Setup) -> String {
    format!("run_blocking_all({})", count(setup.jobs, "job"))
}

/// Did the runtime keep running while the jobs blocked?
#[track_caller]
fn judge_runtime(setup: Setup, report: &Report) {
    let what = what(setup);
    if let Some(&i) = report.on_runtime.first() {
        fail!(
            "the runtime froze: {what} ran `work` on the runtime's own thread ({} of the jobs, \
             job {i} first), the thread that runs every task, so while a job blocked, no other \
             task could run (the grader's heartbeat task could not answer).",
            report.on_runtime.len();
            try = "{SPAWN_BLOCKING} Calling `work(input)` in the async fn, or in a \
                   `tokio::spawn`ed task, runs it on the runtime's thread."
        );
    }
    if let Some(i) = report.silent {
        fail!(
            "the runtime froze: job {i} ran on another thread, but while it blocked, the \
             grader's heartbeat task on the same runtime got no answer for {}: the runtime's \
             thread was stuck waiting for the job instead of running tasks.",
            fmt_duration(PATIENCE);
            try = "never wait for a thread in async code: `std::thread::JoinHandle::join()`, a \
                   `std::sync::mpsc` `recv()` or `futures::executor::block_on` block the \
                   runtime just like `work` itself. Instead, {SPAWN_BLOCKING}"
        );
    }
}

/// Each input handed to `work` exactly once.
#[track_caller]
fn judge_calls(setup: Setup, report: &Report) {
    let what = what(setup);
    check!(
        report.strangers.is_empty(),
        "{what} called `work` with {:?}, which is not one of the inputs 0..{}.",
        preview(&report.strangers, 5),
        setup.jobs;
        try = "call `work` once with each input, as it is."
    );
    let missing: Vec<usize> = (0..setup.jobs).filter(|&i| report.calls[i] == 0).collect();
    let twice: Vec<usize> = (0..setup.jobs).filter(|&i| report.calls[i] > 1).collect();
    check!(
        twice.is_empty(),
        "{what} called `work` more than once for the inputs {}.",
        preview(&twice, 6);
        try = "call `work` exactly once per input."
    );
    check!(
        missing.is_empty(),
        "{what} returned before `work` ran for the inputs {}.",
        preview(&missing, 6);
        try = "await every job's JoinHandle before returning; a job that is spawned but never \
               awaited may not even have started."
    );
}

fn want(setup: Setup, i: usize) -> Result<String, JobPanicked> {
    if setup.panicking == Some(i) {
        Err(JobPanicked { index: i })
    } else {
        Ok(value(i))
    }
}

/// One result per input, each in its own slot.
#[track_caller]
fn judge_results(setup: Setup, got: &[Result<String, JobPanicked>], report: &Report) {
    let n = setup.jobs;
    let what = what(setup);
    check!(
        got.len() == n,
        "{what} returned {}.",
        count(got.len(), "result");
        try = "return exactly one result per input, in the order of `inputs`."
    );
    let wants: Vec<_> = (0..n).map(|i| want(setup, i)).collect();
    let wrong: Vec<usize> = (0..n).filter(|&i| got[i] != wants[i]).collect();
    let Some(&first) = wrong.first() else {
        return;
    };
    // Right results, wrong slots? Then they were kept in the order the jobs
    // finished, not each in its own slot.
    let mut sorted = got.to_vec();
    sorted.sort_by_key(|r| match r {
        Ok(text) => (0, text.clone()),
        Err(e) => (1, e.index.to_string()),
    });
    let mut sorted_wants = wants.clone();
    sorted_wants.sort_by_key(|r| match r {
        Ok(text) => (0, text.clone()),
        Err(e) => (1, e.index.to_string()),
    });
    if sorted == sorted_wants {
        let order: Vec<String> = got
            .iter()
            .map(|r| match r {
                Ok(text) => text.trim_start_matches("result of ").to_string(),
                Err(e) => format!("job {} (panicked)", e.index),
            })
            .collect();
        let finished: Vec<String> = report.finished.iter().map(|i| format!("job {i}")).collect();
        fail!(
            "{what} returned the right results in the wrong order: {} instead of the input \
             order. The jobs finished as {}: the results were kept in the order the jobs \
             finished, not each in its own slot.",
            preview(&order, 6),
            preview(&finished, 6);
            try = "keep the JoinHandles in a Vec in input order and await them one by one (or \
                   `futures::future::join_all(handles)`): each result then lands in its own slot. \
                   `JoinSet::join_next` and `FuturesUnordered` give results as jobs finish."
        );
    }
    if let Some(p) = setup.panicking {
        if let Err(JobPanicked { index }) = got[p] {
            if index != p {
                fail!(
                    "{what}: job {p} panicked and its slot holds Err(JobPanicked {{ index: \
                     {index} }}), but `index` must be the job's position in `inputs`, {p}.";
                    try = "number the handles with `.enumerate()` when you await them."
                );
            }
        }
        if got[p].is_ok() {
            fail!(
                "{what}: job {p} panicked, but its slot holds {:?}.",
                got[p];
                try = "a panicking job's handle gives an `Err(JoinError)` with `is_panic()`: \
                       report it as `Err(JobPanicked {{ index }})`."
            );
        }
    }
    fail!(
        "{what}: slot {first} holds {:?}, expected {:?}.{}",
        got[first],
        wants[first],
        if wrong.len() > 1 {
            format!(" ({} of the {n} slots are wrong.)", wrong.len())
        } else {
            String::new()
        };
        try = "return `work`'s own value for each input, in its slot: `Ok(value)`, or \
               `Err(JobPanicked {{ index }})` if that job panicked."
    );
}

/// Several jobs in flight at once.
#[track_caller]
fn judge_overlap(setup: Setup, report: &Report) {
    let n = setup.jobs;
    let meet = setup.meet();
    let peak = report.peak;
    if peak < meet {
        if peak == 1 {
            fail!(
                "the {n} jobs ran one job at a time: never more than 1 in flight, though all \
                 {n} were handed over at once (the grader waited {} for a second job to start \
                 while the first one blocked).",
                fmt_duration(PATIENCE);
                try = "start every job before awaiting any: collect the \
                       `tokio::task::spawn_blocking` handles into a Vec, then await them. \
                       `spawn_blocking(..).await` in a loop waits for each job before starting \
                       the next, and so does awaiting inside a lazy `.map(..)` iterator that \
                       was never collected."
            );
        }
        fail!(
            "at most {peak} jobs were in flight at once, though {n} jobs were handed over and \
             {meet} should overlap (the grader waited {} for more).",
            fmt_duration(PATIENCE);
            try = "start every job with `tokio::task::spawn_blocking` before awaiting any: \
                   tokio's blocking pool runs hundreds of them at once."
        );
    }
    if let Some(stall) = report.stall {
        fail!(
            "at one point only {} ran while {} had not started, though every job was handed \
             over at once (the grader waited {}).",
            count(stall.running, "job"),
            count(stall.waiting, "job"),
            fmt_duration(PATIENCE);
            try = "start every job before awaiting any."
        );
    }
}

/// Everything a probe test checks, in the order that names the root cause.
#[track_caller]
fn judge_probe(setup: Setup) {
    let (outcome, report) = run_probe(setup);
    judge_runtime(setup, &report);
    let got = match outcome {
        Ok(got) => got,
        Err(text) => {
            if let Some(p) = setup.panicking {
                if !text.contains("multi-threaded runtime") {
                    fail!(
                        "{} panicked when job {p} panicked (\"{}\"): one panicking job took \
                         every result down, the other jobs' results included.",
                        what(setup),
                        cut(text.lines().next().unwrap_or_default(), 140);
                        try = "don't `unwrap` what a JoinHandle gives: `Err(e)` with \
                               `e.is_panic()` is that job's panic, caught by tokio; turn it \
                               into `Err(JobPanicked {{ index }})` for its slot and go on \
                               awaiting the others."
                    );
                }
            }
            judge_panic(&what(setup), &text)
        }
    };
    judge_calls(setup, &report);
    judge_results(setup, &got, &report);
    judge_overlap(setup, &report);
}

// ---------------------------------------------------------------------------
// count_lines on real files.

/// Counts the lines of a file with `count_lines`, under the watchdog.
#[track_caller]
fn count_file(path: PathBuf) -> io::Result<usize> {
    let shown = path.file_name().map(|f| f.to_string_lossy().to_string());
    let outcome = paused(WATCHDOG, HUNG_LINES, move || guarded(count_lines(path)));
    outcome.unwrap_or_else(|text| {
        judge_panic(
            &format!("count_lines({})", shown.unwrap_or_default()),
            &text,
        )
    })
}

/// Makes a named pipe (a FIFO): reading it blocks until a writer sends data.
fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("the grader could not run `mkfifo`");
    assert!(status.success(), "the grader could not make a named pipe");
}

/// The grader's side of the named pipe: a thread that opens it for writing
/// (which waits until `count_lines` opens it for reading), pings the
/// heartbeat while the reader waits for data, then writes `text` and closes.
struct PipeWriter {
    path: PathBuf,
    /// Set once the writer has opened the pipe (or given up on it).
    connected: Arc<Mutex<bool>>,
    /// The heartbeat's answer, sent once the reader is connected.
    answer: mpsc::Receiver<bool>,
}

impl PipeWriter {
    fn start(path: &Path, text: &'static str, heartbeat: UnboundedSender<SyncSender<()>>) -> Self {
        let connected = Arc::new(Mutex::new(false));
        let (tell, answer) = mpsc::channel();
        let (path_copy, flag) = (path.to_path_buf(), Arc::clone(&connected));
        thread::spawn(move || {
            let opened = fs::OpenOptions::new().write(true).open(&path_copy);
            *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
            let Ok(mut pipe) = opened else { return };
            // The reader is connected and now waits for data.
            let answered = matches!(ping(&heartbeat), Pong::Answered);
            let _ = tell.send(answered);
            let _ = pipe.write_all(text.as_bytes());
        });
        PipeWriter {
            path: path.to_path_buf(),
            connected,
            answer,
        }
    }
}

impl Drop for PipeWriter {
    /// Releases a writer still waiting for a reader (`count_lines` never
    /// opened the pipe), so no grader thread is left behind.
    fn drop(&mut self) {
        let connected = *self
            .connected
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !connected {
            if let Ok(mut pipe) = fs::File::open(&self.path) {
                let _ = pipe.read_to_end(&mut Vec::new());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn the_runtime_keeps_running_while_work_blocks() {
    judge_probe(Setup::new(3));
}

#[test]
fn several_jobs_run_at_once() {
    judge_probe(Setup::new(10));
}

#[test]
fn results_keep_the_input_order() {
    // All five jobs in flight, finishing last job first.
    judge_probe(Setup {
        finish: Finish::Reversed,
        ..Setup::new(5)
    });
}

#[test]
fn a_panicking_job_only_loses_its_own_slot() {
    judge_probe(Setup {
        panicking: Some(2),
        ..Setup::new(6)
    });
}

#[test]
fn a_hundred_jobs_all_complete() {
    judge_probe(Setup::new(100));
}

#[test]
fn no_inputs_give_no_results() {
    let setup = Setup::new(0);
    let (outcome, report) = run_probe(setup);
    let got = outcome.unwrap_or_else(|text| judge_panic("run_blocking_all(no inputs)", &text));
    check!(
        got.is_empty(),
        "run_blocking_all(no inputs) returned {}, expected none.",
        count(got.len(), "result");
        try = "one result per input: no inputs, an empty Vec."
    );
    check!(
        report.strangers.is_empty(),
        "run_blocking_all(no inputs) called `work` {} times.",
        report.strangers.len();
        try = "with no inputs there is nothing to run."
    );
}

#[test]
fn count_lines_counts_the_lines_of_a_file() {
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    let long: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
    let files: [(&str, &str, usize, &str); 6] = [
        ("three.txt", "one\ntwo\nthree\n", 3, "three lines"),
        ("empty.txt", "", 0, "an empty file"),
        (
            "no-final-newline.txt",
            "first\nsecond",
            2,
            "a last line without '\\n' counts too",
        ),
        ("blank.txt", "\n\n\n", 3, "three empty lines"),
        ("windows.txt", "one\r\ntwo\r\n", 2, "'\\r\\n' line ends"),
        ("long.txt", &long, 10_000, "10 000 lines"),
    ];
    for (name, text, want, why) in files {
        let path = dir.path().join(name);
        fs::write(&path, text).expect("the grader could not write a temporary file");
        match count_file(path) {
            Ok(got) => check!(
                got == want,
                "count_lines({name}) returned Ok({got}), expected Ok({want}): {why}.";
                try = "count the lines as `str::lines` (or `BufRead::lines`) does; counting \
                       '\\n' bytes misses a last line without one."
            ),
            Err(e) => fail!(
                "count_lines({name}) returned Err({:?}: {e}), expected Ok({want}).",
                e.kind();
                try = "open the file with `std::fs::File::open` (or read it with \
                       `std::fs::read_to_string`) inside `spawn_blocking`."
            ),
        }
    }
}

#[test]
fn count_lines_reports_a_missing_file() {
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    match count_file(dir.path().join("missing.txt")) {
        Err(e) => check!(
            e.kind() == io::ErrorKind::NotFound,
            "count_lines(missing.txt) returned an error of kind {:?} ({e}), expected \
             NotFound: the file does not exist.",
            e.kind();
            try = "return the error `std::fs` gives as it is (`?` inside the closure)."
        ),
        Ok(n) => fail!(
            "count_lines(missing.txt) returned Ok({n}), but the file does not exist.";
            try = "pass the error from `File::open` on (`?`), don't turn it into a count."
        ),
    }
}

#[test]
fn count_lines_does_not_freeze_the_runtime() {
    let dir = tempfile::tempdir().expect("the grader could not make a temporary folder");
    let path = dir.path().join("lines.pipe");
    make_fifo(&path);
    let (heartbeat, pings) = unbounded_channel();
    let writer = PipeWriter::start(&path, "one\ntwo\nthree\n", heartbeat);
    let outcome = paused(WATCHDOG, HUNG_LINES, move || async move {
        let beating = start_heartbeat(pings);
        let outcome = guarded(count_lines(path)).await;
        beating.abort();
        outcome
    });
    let answered = writer.answer.recv_timeout(PATIENCE).ok();
    drop(writer);
    let counted = outcome.unwrap_or_else(|text| judge_panic("count_lines(a named pipe)", &text));
    if answered == Some(false) {
        fail!(
            "count_lines froze the runtime: while it waited for the data of a named pipe, the \
             grader's heartbeat task on the same runtime got no answer for {}. Opening and \
             reading with `std::fs` block the thread that calls them.",
            fmt_duration(PATIENCE);
            try = "do the opening, reading and counting inside \
                   `tokio::task::spawn_blocking(move || ...)` and `.await` its handle (that is \
                   what `tokio::fs` does)."
        );
    }
    match counted {
        Ok(n) => check!(
            n == 3 && answered == Some(true),
            "count_lines(a named pipe carrying 3 lines) returned Ok({n}).";
            try = "open the file at `path` and count every line until the end of the file."
        ),
        Err(e) => fail!(
            "count_lines(a named pipe carrying 3 lines) returned Err({:?}: {e}), expected Ok(3).",
            e.kind();
            try = "open the path with `std::fs::File::open` and read it to the end: a pipe \
                   reads like a file."
        ),
    }
}
