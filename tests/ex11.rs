//! Graded suite for exercise 11 (worker processes).
//!
//! Every `run_jobs` test starts from a fresh temporary folder, the *lab*: a
//! symlink to the provided worker program, which the student's code is told
//! to start, and an `ex11-pids` folder, where every worker started through
//! that symlink writes its pid first thing. So the suite knows every process
//! the student's code started, the ones that crashed or never got a job too,
//! and no environment variable is shared between tests running in parallel.
//! After `run_jobs` returns, the *census* asks the OS about each pid:
//! waited for (good), a zombie (never waited for), or still running (killed,
//! and reported).
//!
//! Parallelism is observed, not timed: a worker on `meet N DIR` puts a file
//! into DIR and waits (at most 2 s) until N files are there. N workers meet
//! only if they run side by side; the first to give up leaves a `gave-up`
//! file, so a wrong solution costs one wait per test, not one per job. A
//! `meet N` can also wait for the N-1 `meet 1` jobs after it in the list:
//! they only run meanwhile if the other workers take the next jobs.
//!
//! `histogram` is checked for exact counts, with every byte value hammered
//! by several threads at once so that a lost update shows.

use std::fmt::Debug;
use std::fs;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ex11::{histogram, run_jobs, JobError};
use grading::{check, child_state, fail, fmt_duration, kill_child, within, ChildState};

/// The provided worker program, built by cargo next to the tests.
const WORKER: &str = env!("CARGO_BIN_EXE_ex11-worker");
/// Real time a `run_jobs` test may take. A correct solution needs a few tens
/// of milliseconds; a wrong one at most one [`MEET_PATIENCE`] more.
const WATCHDOG: Duration = Duration::from_secs(5);
/// Once a test of this run has hung, the others wait less: the diagnosis is
/// known, and a student should not wait half a minute for the verdict.
const WATCHDOG_AFTER_A_HANG: Duration = Duration::from_millis(1500);
/// How long a `meet` job waits for the others (as in `src/bin/worker.rs`).
const MEET_PATIENCE: Duration = Duration::from_secs(2);
/// How long a worker may take to exit after `run_jobs` returned, before it
/// counts as "still running" rather than as an unwaited zombie.
const EXIT_GRACE: Duration = Duration::from_millis(1500);
/// Real time one `histogram` call may take (a correct one: under 0.2 s,
/// even with the other core busy).
const HISTOGRAM_WATCHDOG: Duration = Duration::from_secs(5);

static A_TEST_HUNG: AtomicBool = AtomicBool::new(false);

const HUNG: &str = "`run_jobs` never returned: your code waits forever for \
    something. The usual cause is `child.wait()` while the worker's stdin is still open: \
    a worker only exits once its stdin is closed, so it waits for its next job while your \
    code waits for it to exit. Another: a loop that reads until an answer comes never ends once \
    the worker has crashed (`read_line` then returns Ok(0) at once, every time).\n\
    Try: close the stdin first (`drop(stdin)`, or `drop(child.stdin.take())`), then \
    `child.wait()`; treat end of file as a crash.";

const HISTOGRAM_HUNG: &str = "`histogram` never returned: a thread loops forever, or \
    the threads wait for each other.\n\
    Try: give every thread its own part of `data` and let it end after its last byte.";

fn nonzero(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("the suite uses at least one worker")
}

/// "1 worker process", "3 worker processes".
fn count(k: usize, one: &str, many: &str) -> String {
    if k == 1 {
        format!("1 {one}")
    } else {
        format!("{k} {many}")
    }
}

fn was(k: usize) -> &'static str {
    if k == 1 {
        "was"
    } else {
        "were"
    }
}

/// At most `shown` items of a list, so a long mismatch stays readable.
fn preview<T: Debug>(items: &[T], shown: usize) -> String {
    if items.len() <= shown {
        return format!("{items:?}");
    }
    let head: Vec<String> = items[..shown].iter().map(|x| format!("{x:?}")).collect();
    format!("[{}, …] ({} in all)", head.join(", "), items.len())
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…")
}

/// A result as the messages show it, cut short.
fn show(result: &Result<String, JobError>) -> String {
    match result {
        Ok(text) => format!("Ok({:?})", cut(text, 40)),
        Err(JobError::WorkerCrashed) => "Err(WorkerCrashed)".to_string(),
        Err(JobError::BadReply(line)) => format!("Err(BadReply({:?}))", cut(line, 40)),
    }
}

// ---------------------------------------------------------------------------
// Jobs and what their answers should be.

#[derive(Clone, Debug)]
enum Job {
    /// Collatz steps of a number: `ok <pid> collatz(n)=steps`.
    Number(u64),
    /// `meet n dir`: `ok <pid> met n/n`, or `ok <pid> gave-up k/n`.
    Meet { n: usize, dir: PathBuf },
    /// The worker dies without an answer.
    Crash,
    /// A job the worker does not know: `error: unknown job "..."`.
    Unknown(&'static str),
}

use Job::{Crash, Number, Unknown};

impl Job {
    fn line(&self) -> String {
        match self {
            Number(n) => n.to_string(),
            Job::Meet { n, dir } => format!("meet {n} {}", dir.display()),
            Crash => "crash".to_string(),
            Unknown(text) => text.to_string(),
        }
    }

    /// The job as the messages show it (a meet without its long folder).
    fn short(&self) -> String {
        match self {
            Job::Meet { n, .. } => format!("meet {n} …"),
            other => other.line(),
        }
    }

    /// The expected result, with the pid left out.
    fn want(&self) -> String {
        match self {
            Number(n) => format!("collatz({n})={}", collatz(*n)),
            Job::Meet { n, .. } => format!("met {n}/{n}"),
            Crash => CRASHED.to_string(),
            Unknown(_) => BAD_REPLY.to_string(),
        }
    }

    /// What the worker answers to this job, as it says it.
    fn answer(&self) -> String {
        match self {
            Unknown(text) => format!("error: unknown job {text:?}"),
            Crash => "(nothing: it dies)".to_string(),
            other => format!("ok <pid> {}", other.want()),
        }
    }
}

const CRASHED: &str = "Err(WorkerCrashed)";
const BAD_REPLY: &str = "Err(BadReply(..))";

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
fn split_pid(text: &str) -> Option<(u32, &str)> {
    let (pid, rest) = text.split_once(' ')?;
    Some((pid.parse().ok()?, rest))
}

/// A result as compared with [`Job::want`]: without the pid.
fn key(result: &Result<String, JobError>) -> String {
    match result {
        Ok(text) => split_pid(text)
            .map_or(text.as_str(), |(_, rest)| rest)
            .to_string(),
        Err(JobError::WorkerCrashed) => CRASHED.to_string(),
        Err(JobError::BadReply(_)) => BAD_REPLY.to_string(),
    }
}

fn jobs_preview(jobs: &[Job]) -> String {
    let shown: Vec<String> = jobs.iter().map(Job::short).collect();
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    preview(&shown, 6).replace('"', "")
}

// ---------------------------------------------------------------------------
// The lab: a temporary folder per test.

struct Lab {
    dir: tempfile::TempDir,
    exe: PathBuf,
    pids: PathBuf,
    meets: usize,
}

/// What one `run_jobs` call gave, and what became of its processes.
struct Run {
    workers: usize,
    jobs: Vec<Job>,
    results: Vec<Result<String, JobError>>,
    census: Census,
}

/// Every process the student's code started through the lab, after the call.
#[derive(Default)]
struct Census {
    /// False where the OS cannot tell (not unix): the zombie check is skipped.
    observed: bool,
    started: Vec<u32>,
    zombies: Vec<u32>,
    /// Still running after [`EXIT_GRACE`]: killed by the grader.
    running: Vec<u32>,
}

impl Lab {
    fn new() -> Lab {
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
    fn meet_dir(&mut self) -> PathBuf {
        self.meets += 1;
        let dir = self.dir.path().join(format!("meet-{}", self.meets));
        fs::create_dir(&dir).expect("the grader could not make a folder");
        dir
    }

    /// Calls `run_jobs` under the watchdog, then takes the census.
    #[track_caller]
    fn run(&self, workers: usize, jobs: Vec<Job>) -> Run {
        let exe = self.exe.clone();
        let lines: Vec<String> = jobs.iter().map(Job::line).collect();
        let limit = if A_TEST_HUNG.load(Ordering::SeqCst) {
            WATCHDOG_AFTER_A_HANG
        } else {
            WATCHDOG
        };
        // If the watchdog fires, kill the workers the stuck call left behind.
        let guard = KillOnHang(self);
        let outcome = within(limit, HUNG, move || {
            // Catch the student's panic here, to say which run caused it.
            panic::catch_unwind(AssertUnwindSafe(|| {
                run_jobs(&exe, nonzero(workers), &lines)
            }))
        });
        std::mem::forget(guard);
        let results = match outcome {
            Ok(results) => results,
            Err(payload) => {
                self.census(Duration::ZERO);
                explain_panic(workers, &jobs, payload.as_ref());
            }
        };
        Run {
            workers,
            census: self.census(EXIT_GRACE),
            jobs,
            results,
        }
    }

    /// What became of every worker started through this lab. A worker still
    /// running gets `grace` to exit (a dropped `Child` closes its stdin, and
    /// the worker then exits, unwaited); after that it is killed.
    fn census(&self, grace: Duration) -> Census {
        let mut started: Vec<u32> = fs::read_dir(&self.pids)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        started.sort_unstable();
        let mut census = Census {
            observed: true,
            started,
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
            thread::sleep(Duration::from_millis(5));
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

/// The student's code panicked: say so, with the run that made it panic.
#[track_caller]
fn explain_panic(workers: usize, jobs: &[Job], payload: &(dyn std::any::Any + Send)) -> ! {
    let message = grading::student_panic_message(payload);
    if message.starts_with("NOT STARTED") {
        panic!("\n{message}\n");
    }
    let what = message.lines().next().unwrap_or_default();
    let run = format!(
        "run_jobs(workers = {workers}, jobs = {})",
        jobs_preview(jobs)
    );
    if let Some(c) = jobs.iter().position(|j| matches!(j, Crash)) {
        fail!(
            "{what}\nThat was in {run}, where job {c} is `crash`: the worker running it dies \
             without an answer. Its stdout ends (`read_line` returns Ok(0)) and writing to \
             its stdin fails (BrokenPipe), and your code panicked, so every result was lost.";
            try = "One crash must cost only its own job: put Err(JobError::WorkerCrashed) in \
                   its slot, wait for the dead child, start a fresh worker and go on with the \
                   next job. Don't `unwrap` or `expect` the pipes' results."
        );
    }
    fail!(
        "{what}\nThat was in {run}.";
        try = "read the panic above (file and line); a worker's answer or failure is a result \
               to store, not something to unwrap."
    );
}

// ---------------------------------------------------------------------------
// Judging a run.

/// What the `meet` jobs of a run are there to show.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Meets {
    None,
    /// N `meet N` jobs: N workers must run them side by side.
    Together,
    /// Job 0 is `meet K`: it waits until the K-1 `meet 1` jobs after it ran,
    /// which only the other workers can do meanwhile.
    SlowFirst,
}

const ONE_AT_A_TIME: &str = "give every worker process its own thread (e.g. in \
    `std::thread::scope`): one loop that sends a job and waits for its answer runs one job \
    at a time, however many processes it started.";

const TAKE_THE_NEXT_JOB: &str = "hand out one job at a time: a free worker takes the next \
    job (a shared `AtomicUsize` index, a `Mutex`ed queue or a channel). Dealing the jobs out \
    to the workers up front (chunks, or every n-th job) queues them behind a slow one while \
    other workers sit idle.";

#[track_caller]
fn judge(run: &Run, meets: Meets) {
    let (w, n) = (run.workers, run.jobs.len());
    let what = format!(
        "run_jobs(workers = {w}, jobs = {})",
        jobs_preview(&run.jobs)
    );
    let got = &run.results;
    check!(
        got.len() == n,
        "{what} returned {} results for {n} jobs.",
        got.len();
        try = "return exactly one result per job, in the order of `jobs`."
    );
    judge_format(&what, run);
    judge_meets(&what, run, meets);
    judge_slots(&what, run);
    judge_pool(&what, run);
    judge_census(&what, &run.census);
}

/// Answers kept with `ok `, with their line end, or taken for results.
#[track_caller]
fn judge_format(what: &str, run: &Run) {
    for (i, (job, result)) in run.jobs.iter().zip(&run.results).enumerate() {
        let text = match result {
            Ok(text) | Err(JobError::BadReply(text)) => text,
            Err(JobError::WorkerCrashed) => continue,
        };
        if text.ends_with('\n') || text.ends_with('\r') {
            fail!(
                "{what}: the result of job {i} ({}) is {}: it still ends with the line end.",
                job.short(),
                show(result);
                try = "`read_line` keeps the '\\n' at the end of the line: take it off \
                       (`line.trim_end()`) before you look at the answer."
            );
        }
        let Ok(text) = result else { continue };
        if matches!(job, Crash) {
            continue;
        }
        if text.starts_with("ok ") {
            fail!(
                "{what}: the result of job {i} ({}) is {}: it still starts with `ok `.",
                job.short(),
                show(result);
                try = "the worker's `ok ` only says \"this is a result\": Ok holds the text \
                       after it (`line.strip_prefix(\"ok \")`)."
            );
        }
        if !text.starts_with(|c: char| c.is_ascii_digit()) {
            fail!(
                "{what}: the worker answered job {i} ({}) with `{}`, which is not a result, \
                 but your code returned it as Ok.",
                job.short(),
                cut(text, 50);
                try = "only an answer that starts with `ok ` is a result; any other answer \
                       is Err(JobError::BadReply(the whole line))."
            );
        }
    }
}

/// A `meet` that gave up: the workers did not run side by side.
#[track_caller]
fn judge_meets(what: &str, run: &Run, meets: Meets) {
    let gave_up = run.results.iter().find_map(|r| {
        let (_, rest) = split_pid(r.as_ref().ok()?)?;
        let (k, of) = rest.strip_prefix("gave-up ")?.split_once('/')?;
        Some((k.parse::<usize>().ok()?, of.parse::<usize>().ok()?))
    });
    let Some((k, of)) = gave_up else { return };
    let waited = fmt_duration(MEET_PATIENCE);
    let w = run.workers;
    if k <= 1 {
        fail!(
            "{what}: a `meet {of}` job waited {waited} for other jobs to run alongside it, \
             and none ever did: your code ran one job at a time, though workers = {w}.";
            try = "{ONE_AT_A_TIME}"
        );
    }
    match meets {
        Meets::SlowFirst => fail!(
            "{what}: job 0 (`meet {of}`) waits until the {} `meet 1` jobs after it have run, \
             which the other {} can do meanwhile. It gave up after {waited} with only {} of \
             them done: the others were queued behind the slow job.",
            of - 1,
            count(w - 1, "worker", "workers"),
            k - 1;
            try = "{TAKE_THE_NEXT_JOB}"
        ),
        _ => fail!(
            "{what}: the `meet {of}` jobs need {of} workers running them at the same time, \
             but after {waited} only {k} of them had started.";
            try = "start `min(workers, jobs.len())` worker processes, each with its own \
                   thread, and let every free worker take the next job."
        ),
    }
}

/// Every slot holds its own job's result.
#[track_caller]
fn judge_slots(what: &str, run: &Run) {
    let n = run.jobs.len();
    let want: Vec<String> = run.jobs.iter().map(Job::want).collect();
    let got: Vec<String> = run.results.iter().map(key).collect();
    if got == want {
        return judge_bad_replies(what, run);
    }
    let (mut sorted_got, mut sorted_want) = (got.clone(), want.clone());
    sorted_got.sort();
    sorted_want.sort();
    if sorted_got == sorted_want {
        fail!(
            "{what} returned the right results in the wrong order: {} instead of {}. They \
             were kept in the order the jobs finished, not each in its job's slot.",
            preview(&got, 5),
            preview(&want, 5);
            try = "remember each job's index with its result (`(i, result)` pairs, or a slot \
                   per job) and put every result into slot i."
        );
    }
    let i = (0..n).find(|&i| got[i] != want[i]).expect("a difference");
    let (job, result) = (&run.jobs[i], &run.results[i]);
    let crash_before = run.jobs[..i].iter().position(|j| matches!(j, Crash));
    match (job, result) {
        (Crash, _) => fail!(
            "{what}: job {i} is `crash`: the worker died without an answer, but your result \
             is {}.",
            show(result);
            try = "a worker that dies closes its stdout: `read_line` returns Ok(0) (end of \
                   file) instead of a line. No answer means Err(JobError::WorkerCrashed)."
        ),
        (_, Err(JobError::WorkerCrashed)) if crash_before.is_some() => {
            let c = crash_before.expect("checked");
            let lost = (c + 1..n)
                .filter(|&j| {
                    !matches!(run.jobs[j], Crash)
                        && matches!(run.results[j], Err(JobError::WorkerCrashed))
                })
                .count();
            fail!(
                "{what}: job {c} crashed its worker, and {} after it {} never done: job {i} \
                 ({}) got Err(WorkerCrashed) though its worker never ran it.",
                count(lost, "job", "jobs"),
                was(lost),
                job.short();
                try = "a crash costs only its own job: wait for the dead worker, start a \
                       fresh one (`Command::spawn` again) and go on with the next job."
            )
        }
        (Unknown(text), _) => fail!(
            "{what}: job {i} ({text:?}) is not a job the worker knows. It answered \
             `{}`, so the result is Err(BadReply(that line)); yours is {}.",
            job.answer(),
            show(result);
            try = "an answer that does not start with `ok ` is \
                   Err(JobError::BadReply(the whole line, without its line end))."
        ),
        _ => fail!(
            "{what}: the worker answers job {i} ({}) with `{}`, so its result is \
             Ok(\"<pid> {}\"); yours is {}.{}",
            job.short(),
            job.answer(),
            want[i],
            show(result),
            if (0..n).filter(|&j| got[j] != want[j]).count() > 1 {
                format!(
                    " ({} of the {n} results are wrong.)",
                    (0..n).filter(|&j| got[j] != want[j]).count()
                )
            } else {
                String::new()
            };
            try = "send each job as one line (`writeln!`), read exactly one answer line per \
                   job, and put the text after `ok ` into that job's slot."
        ),
    }
}

/// A bad reply holds the worker's whole line.
#[track_caller]
fn judge_bad_replies(what: &str, run: &Run) {
    for (i, (job, result)) in run.jobs.iter().zip(&run.results).enumerate() {
        if let (Unknown(_), Err(JobError::BadReply(line))) = (job, result) {
            check!(
                line.trim_end() == job.answer(),
                "{what}: job {i} gave Err(BadReply({:?})), but the worker's line was `{}`.",
                cut(line, 50),
                job.answer();
                try = "keep the whole line in BadReply, only without its line end."
            );
        }
    }
}

/// No more processes than a pool of `workers` needs.
#[track_caller]
fn judge_pool(what: &str, run: &Run) {
    let (w, n) = (run.workers, run.jobs.len());
    let crashes = run.jobs.iter().filter(|j| matches!(j, Crash)).count();
    let mut pids: Vec<u32> = run
        .results
        .iter()
        .filter_map(|r| split_pid(r.as_ref().ok()?).map(|(pid, _)| pid))
        .collect();
    pids.sort_unstable();
    pids.dedup();
    if run.census.observed && run.census.started.is_empty() && !pids.is_empty() {
        fail!(
            "{what}: workers answered (process ids {}), but none of them was started from \
             the path `run_jobs` was given, so the grader cannot check them.",
            preview(&pids, 3);
            try = "start the workers with `Command::new(worker_exe)`, the path as it is given."
        );
    }
    let started = if run.census.observed {
        run.census.started.len().max(pids.len())
    } else {
        pids.len()
    };
    let allowed = w.min(n) + crashes;
    if started <= allowed {
        return;
    }
    let after_crashes = if crashes > 0 {
        format!(" plus one fresh worker per crash ({crashes})")
    } else {
        String::new()
    };
    let note = if started > w + crashes && started >= n {
        " A new process for every job is not a pool: starting a process costs far more \
         than sending it a line."
    } else if started > w + crashes {
        " That is more than `workers` allows."
    } else {
        " A worker with no job to do should not be started."
    };
    fail!(
        "{what} started {} for {}, where {} {} enough: min(workers, jobs) = {}{after_crashes}.{note}",
        count(started, "worker process", "worker processes"),
        count(n, "job", "jobs"),
        allowed,
        if allowed == 1 { "is" } else { "are" },
        w.min(n);
        try = "start `min(workers, jobs.len())` workers, each once, and send each one job \
               after job until none is left; start a new one only to replace a worker that \
               crashed."
    );
}

/// Every worker waited for, none left running.
#[track_caller]
fn judge_census(what: &str, census: &Census) {
    if !census.observed {
        println!(
            "SKIPPED: the zombie check needs a unix system; this one cannot tell whether the \
             worker processes were waited for."
        );
        return;
    }
    if !census.zombies.is_empty() {
        let k = census.zombies.len();
        fail!(
            "{what}: {k} of the {} worker processes your code started {} never waited for \
             (zombies): they exited, but each stays in the process table until its parent \
             waits for it.",
            census.started.len(),
            was(k);
            try = "call `child.wait()` on every Child, the crashed ones too (close its stdin \
                   first). Dropping a `Child` does not wait for the process."
        );
    }
    if !census.running.is_empty() {
        let k = census.running.len();
        fail!(
            "{what}: {} {} still running {} after `run_jobs` returned (the grader killed \
             {}).",
            count(k, "worker process", "worker processes"),
            was(k),
            fmt_duration(EXIT_GRACE),
            if k == 1 { "it" } else { "them" };
            try = "close its stdin and wait for it: `drop(stdin)` tells the worker there are \
                   no more jobs, and `child.wait()` waits until it has exited."
        );
    }
}

fn meets(n: usize, dir: &Path) -> Vec<Job> {
    (0..n)
        .map(|_| Job::Meet {
            n,
            dir: dir.to_path_buf(),
        })
        .collect()
}

fn meet(n: usize, dir: &Path) -> Job {
    Job::Meet {
        n,
        dir: dir.to_path_buf(),
    }
}

// ---------------------------------------------------------------------------
// run_jobs

#[test]
fn every_job_gets_its_answer() {
    let lab = Lab::new();
    let jobs = (0..30).map(|i| Number(1 + i * 37)).collect();
    judge(&lab.run(3, jobs), Meets::None);
}

#[test]
fn results_come_back_in_job_order() {
    // Job 0 waits for the four `meet 1` after it, which the other worker
    // runs meanwhile: job 0 finishes last (or next to last).
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let jobs = vec![
        meet(5, &d),
        Number(27),
        meet(1, &d),
        Number(97),
        meet(1, &d),
        Number(871),
        meet(1, &d),
        meet(1, &d),
    ];
    judge(&lab.run(2, jobs), Meets::SlowFirst);
}

#[test]
fn a_slow_job_does_not_hold_up_the_others() {
    // Job 0 waits for the eight `meet 1` after it: the two other workers
    // must run every other job meanwhile.
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let jobs = vec![
        meet(9, &d),
        meet(1, &d),
        Number(27),
        meet(1, &d),
        Number(97),
        meet(1, &d),
        Number(871),
        meet(1, &d),
        Number(6171),
        meet(1, &d),
        Number(77031),
        meet(1, &d),
        Number(1),
        meet(1, &d),
        meet(1, &d),
    ];
    judge(&lab.run(3, jobs), Meets::SlowFirst);
}

#[test]
fn workers_run_at_the_same_time() {
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let mut jobs = meets(3, &d);
    jobs.extend([27, 97, 871, 6171, 77031, 9].map(Number));
    judge(&lab.run(3, jobs), Meets::Together);
}

#[test]
fn fewer_jobs_than_workers() {
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    judge(&lab.run(4, meets(2, &d)), Meets::Together);
}

#[test]
fn no_jobs_start_no_workers() {
    let lab = Lab::new();
    let run = lab.run(3, Vec::new());
    check!(
        run.results.is_empty(),
        "run_jobs(workers = 3, no jobs) returned {} results, expected none.",
        run.results.len();
        try = "one result per job: no jobs, an empty Vec."
    );
    judge(&run, Meets::None);
}

#[test]
fn a_crash_only_loses_its_own_job() {
    let lab = Lab::new();
    let mut jobs: Vec<Job> = [27, 97, 871].map(Number).to_vec();
    jobs.push(Crash);
    jobs.extend([6171, 1, 7, 9, 11, 13].map(Number));
    judge(&lab.run(2, jobs), Meets::None);
}

#[test]
fn a_lone_worker_is_restarted_after_a_crash() {
    let lab = Lab::new();
    let jobs = vec![Number(7), Crash, Number(9), Crash, Number(11)];
    judge(&lab.run(1, jobs), Meets::None);
}

#[test]
fn a_refused_job_is_a_bad_reply() {
    let lab = Lab::new();
    let jobs = vec![
        Number(5),
        Unknown("hello"),
        Number(6),
        Unknown("twenty-seven"),
        Number(8),
    ];
    judge(&lab.run(2, jobs), Meets::None);
}

#[test]
fn every_worker_is_waited_for() {
    // Three workers side by side, two of which crash later: every one of
    // the five processes must be waited for.
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let mut jobs = meets(3, &d);
    jobs.extend([Number(27), Crash, Number(97), Crash, Number(871)]);
    judge(&lab.run(3, jobs), Meets::Together);
}

// ---------------------------------------------------------------------------
// histogram

fn count_bytes(data: &[u8]) -> [u64; 256] {
    let mut counts = [0; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    counts
}

/// Bytes from a small xorshift generator: the same every run.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Runs `histogram` under the watchdog.
#[track_caller]
fn run_histogram(data: &[u8], threads: usize) -> [u64; 256] {
    let data = data.to_vec();
    let len = data.len();
    let outcome = within(HISTOGRAM_WATCHDOG, HISTOGRAM_HUNG, move || {
        panic::catch_unwind(AssertUnwindSafe(|| histogram(&data, nonzero(threads))))
    });
    match outcome {
        Ok(counts) => counts,
        Err(payload) => {
            let message = grading::student_panic_message(payload.as_ref());
            if message.starts_with("NOT STARTED") {
                panic!("\n{message}\n");
            }
            fail!(
                "{}\nThat was in histogram({}, threads = {threads}).",
                message.lines().next().unwrap_or_default(),
                count(len, "byte", "bytes");
                try = "every thread gets a part of `data`, some maybe an empty one: with more \
                       threads than bytes, `data.len() / threads` is 0, and `chunks(0)` \
                       panics. Round the part size up, and make it at least 1: \
                       `data.len().div_ceil(threads).max(1)`."
            );
        }
    }
}

#[track_caller]
fn judge_histogram(data: &[u8], threads: usize, got: &[u64; 256]) {
    let want = count_bytes(data);
    if *got == want {
        return;
    }
    let len = data.len();
    let what = format!(
        "histogram({}, threads = {threads})",
        count(len, "byte", "bytes")
    );
    let total: u64 = got.iter().sum();
    let len64 = len as u64;
    let first = (0..256).find(|&b| got[b] != want[b]).expect("a difference");
    let example = format!(
        "byte value {first} occurs {} times, your count is {}",
        want[first], got[first]
    );
    if total > len64 {
        fail!(
            "{what} counted {} bytes in all, {} more than there are ({example}): some bytes \
             were counted twice.",
            total,
            total - len64;
            try = "give the threads parts of `data` that do not overlap (`data.chunks(part)`), \
                   and count each byte once."
        );
    }
    let missing: Vec<u64> = (0..256).map(|b| want[b].saturating_sub(got[b])).collect();
    let lost = len64 - total;
    if total < len64 && (0..256).all(|b| got[b] <= want[b]) {
        let m = usize::try_from(lost).expect("fits");
        if count_bytes(&data[len - m..])[..] == missing[..] {
            fail!(
                "{what} counted {total} bytes: the last {} {} never counted ({example}).",
                count(m, "byte", "bytes"),
                was(m);
                try = "split `data` so that the parts cover all of it: `len / threads` rounds \
                       down and leaves the rest over; round up \
                       (`data.len().div_ceil(threads)`) and use `data.chunks(part)`, whose last \
                       part may be shorter."
            );
        }
        if count_bytes(&data[..m])[..] == missing[..] {
            fail!(
                "{what} counted {total} bytes: the first {} {} never counted ({example}).",
                count(m, "byte", "bytes"),
                was(m);
                try = "split `data` so that the parts cover all of it, e.g. `data.chunks(part)` \
                       with `part = data.len().div_ceil(threads)`."
            );
        }
        fail!(
            "{what} counted {total} bytes: {lost} counts were lost ({example}). When two \
             threads add to the same counter at once, a `load` followed by a `store` loses \
             one of the two additions: both read the same old value.";
            try = "add with one indivisible step: `counts[b].fetch_add(1, Ordering::Relaxed)`."
        );
    }
    fail!(
        "{what}: {example} (in all you counted {total} of {len} bytes).";
        try = "for every byte `b` of `data`, add one to counter number `b as usize`."
    );
}

#[test]
fn histogram_counts_every_byte() {
    // 100 003 is prime: no thread count divides it.
    let data = noise(100_003, 0x5eed);
    for threads in [1, 2, 3, 4, 7, 16] {
        let got = run_histogram(&data, threads);
        judge_histogram(&data, threads, &got);
    }
}

#[test]
fn histogram_with_more_threads_than_bytes() {
    for (data, threads) in [(&b"abca"[..], 8), (&b""[..], 4), (&b"z"[..], 1)] {
        let got = run_histogram(data, threads);
        judge_histogram(data, threads, &got);
    }
}

#[test]
fn histogram_counts_survive_contention() {
    // Nearly every byte is 0 or 1: all the threads add to the same two
    // counters at the same time, so a lost update cannot hide.
    let mut data = vec![0_u8; 4 << 20];
    for (i, b) in data.iter_mut().enumerate() {
        *b = u8::from(i % 3 == 0);
    }
    data[12_345] = 200;
    for threads in [2, 4] {
        let got = run_histogram(&data, threads);
        judge_histogram(&data, threads, &got);
    }
}
