//! The judges of `run_jobs`: a stuck call, a panic, the results, the pool
//! and the census, each with what it saw and what to try.

use std::any::Any;
use std::time::Duration;

use ex11::JobError;
use grading::{
    count, count_of, cut, fmt_duration, preview, record_student_panic, was, Cause, Clock,
    Diagnosis, Timeline,
};

use crate::lab::{
    jobs_preview, key, split_pid, Census, Hang, Job, Run, EXIT_GRACE, MEET_PATIENCE, STALL, TICK,
};
use crate::lab::{Crash, Cut, Unknown};

/// What the `meet` jobs of a run are there to show.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Meets {
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

fn processes(k: usize) -> String {
    count_of(k, "worker process", "worker processes")
}

/// A result as the messages show it, cut short.
fn show(result: &Result<String, JobError>) -> String {
    match result {
        Ok(text) => format!("Ok({:?})", cut(text, 40)),
        Err(JobError::WorkerCrashed) => "Err(WorkerCrashed)".to_string(),
        Err(JobError::BadReply(line)) => format!("Err(BadReply({:?}))", cut(line, 40)),
    }
}

/// `run_jobs(workers = 3, jobs = [27, crash, …])`, for the messages.
pub fn call(workers: usize, jobs: &[Job]) -> String {
    format!(
        "run_jobs(workers = {workers}, jobs = {})",
        jobs_preview(jobs)
    )
}

/// The picture under a failure about how the workers ran: each worker
/// process's busy spans as the monitor saw them (one look every 20 ms), in
/// the order they took their first job, idle ones last; above a correct
/// pool, where `min(workers, jobs)` workers run side by side from the start
/// (a correct run takes a few milliseconds: one look), and a fresh worker
/// replaces each one that crashed.
pub fn record_picture(run: &Run) -> String {
    let lane = |k: usize| format!("worker {}", k + 1);
    let mut seen = Timeline::new("what your code did", Clock::Real);
    for (k, spans) in run.activity.lanes().iter().enumerate() {
        seen = seen.lane(&lane(k), spans);
    }
    let pool = run.workers.min(run.jobs.len());
    let deaths = run.jobs.iter().filter(|j| j.dies()).count();
    let mut correct = Timeline::new("what a correct solution does", Clock::Real);
    for k in 0..pool + deaths {
        let span = if k < pool {
            (Duration::ZERO, TICK)
        } else {
            (TICK, 2 * TICK)
        };
        correct = correct.lane(&lane(k), &[span]);
    }
    grading::record_picture(&seen, &correct)
}

/// The run's results: the student's panic and a stuck call are explained
/// here, on the test's own thread.
#[track_caller]
pub fn results(
    (mut run, panicked): (Run, Option<Box<dyn Any + Send>>),
) -> (Run, Vec<Result<String, JobError>>) {
    if let Some(payload) = panicked {
        explain_panic(run.workers, &run.jobs, payload.as_ref());
    }
    match std::mem::replace(&mut run.outcome, Ok(Vec::new())) {
        Ok(results) => (run, results),
        Err(hang) => explain_hang(
            &call(run.workers, &run.jobs),
            &run.jobs,
            &hang,
            &record_picture(&run),
        ),
    }
}

/// The student's code panicked: say so, with the run that made it panic.
#[track_caller]
fn explain_panic(workers: usize, jobs: &[Job], payload: &(dyn Any + Send)) -> ! {
    let message = record_student_panic(payload);
    if message.starts_with("NOT STARTED") {
        panic!("\n{message}\n");
    }
    let what = message.lines().next().unwrap_or_default();
    let run = call(workers, jobs);
    if let Some(c) = jobs.iter().position(Job::dies) {
        Diagnosis::new(format!(
            "{what}\nThat was in {run}, where job {c} is `{}`: the worker running it dies \
             without a (whole) answer. Its stdout ends (`read_line` returns Ok(0), or a line \
             without its '\\n') and writing to its stdin fails (BrokenPipe), and your code \
             panicked, so every result was lost.",
            jobs[c].short()
        ))
        .advice(
            "One crash must cost only its own job: put Err(JobError::WorkerCrashed) in \
             its slot, wait for the dead child, start a fresh worker and go on with the \
             next job. Don't `unwrap` or `expect` the pipes' results.",
        )
        .fail();
    }
    Diagnosis::new(format!("{what}\nThat was in {run}."))
        .advice(
            "read the panic above (file and line); a worker's answer or failure is a result \
             to store, not something to unwrap.",
        )
        .fail();
}

/// Why a call got stuck, from what the workers had done (see [`Hang`]).
#[track_caller]
fn explain_hang(what: &str, jobs: &[Job], hang: &Hang, pic: &str) -> ! {
    // The checker shows a stopped call as a hang, not as a failure.
    grading::record_hang(STALL);
    let n = jobs.len();
    let started = hang.workers.len();
    let received: usize = hang.workers.iter().map(|w| w.received).sum();
    let answered: usize = hang.workers.iter().map(|w| w.answered).sum();
    let died = hang.workers.iter().filter(|w| w.died).count();
    let alive = started - died;
    let after_kill = if hang.returned_after_kill {
        " When the grader then killed the workers, run_jobs returned at once: it had been \
         waiting for them."
    } else {
        " Even when the grader then killed the workers, run_jobs did not return."
    };
    let stuck = format!(
        "{what} got stuck: for {} no worker read a job or answered one, and none was in the \
         middle of one.",
        fmt_duration(STALL)
    );
    if started == 0 {
        Diagnosis::new(format!(
            "{stuck} It had started no worker process at all.{after_kill}{pic}"
        ))
        .candidates([
            Cause::LockHeldWhileWaiting,
            Cause::ChannelNeverClosed,
            Cause::BusyLoop,
        ])
        .advice(
            "start the workers with `Command::new(worker_exe)`, and make sure no thread \
             waits for another (a lock held while waiting, a channel nobody closes).",
        )
        .fail();
    }
    if received == 0 {
        Diagnosis::new(format!(
            "{stuck} It had started {}, and not one of them ever received a complete job \
             line: each waited on its stdin for a first job, while your code waited, \
             presumably for an answer. So no whole job line reached a worker. Most likely the \
             lines sit in a `BufWriter` (or `LineWriter`) that is never flushed: a `BufWriter` \
             keeps what you write in memory until its buffer (8 KiB) is full, and a job line \
             is a few bytes. Or the job was written without its line end (`write!` instead of \
             `writeln!`), and the worker waits for the rest of the line.{pic}",
            processes(started)
        ))
        .candidates([Cause::NotFlushed, Cause::BusyLoop])
        .advice(
            "flush after every job (`stdin.flush()`), or write to the `ChildStdin` \
             itself, which is not buffered; end every job with '\\n' (`writeln!`).",
        )
        .fail();
    }
    if died > 0 && !hang.returned_after_kill {
        let c = jobs.iter().position(Job::dies).unwrap_or_default();
        Diagnosis::new(format!(
            "{stuck} The worker that ran job {c} (`{}`) had died, and since then your code \
             waited for something.{after_kill} A dead worker's stdout is at its end: \
             `read_line` returns Ok(0) at once, every time, so a loop that reads until it gets \
             a line never ends.{pic}",
            jobs[c].short()
        ))
        .candidates([Cause::BusyLoop])
        .advice(
            "treat Ok(0) (end of file), and a line without its '\\n', as the crash: \
             Err(JobError::WorkerCrashed) for that job, wait for the dead child, and start \
             a fresh worker for the next job.",
        )
        .fail();
    }
    if answered + died >= n {
        Diagnosis::new(format!(
            "{stuck} Every job had been answered (or had killed its worker), and the {} still \
             running waited on stdin for a next job.{after_kill} A worker exits, and ends its \
             output, only once its stdin is closed: so `child.wait()` while you still hold the \
             worker's stdin, or a read past its last answer (`read_to_string`, one `read_line` \
             more than the jobs sent), waits for a worker that waits for you.{pic}",
            processes(alive)
        ))
        .candidates(if hang.returned_after_kill {
            vec![Cause::ChannelNeverClosed]
        } else {
            vec![Cause::ChannelNeverClosed, Cause::BusyLoop]
        })
        .advice(
            "close the stdin first (`drop(stdin)`, or `drop(child.stdin.take())`), then \
             `child.wait()`; read exactly one answer per job sent.",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "{stuck} The workers had answered every job line they received ({answered} of the \
         {n} jobs), and waited on stdin for more.{after_kill} So your code was waiting for \
         something else than a worker busy with a job. Likely causes, most likely first: it \
         reads more than one line per answer (`read_to_string`, `lines()` collected, a second \
         `read_line`), which waits for output a worker only ends once its stdin is closed; its \
         threads wait for each other (a lock held while waiting for an answer, a channel \
         nobody closes); a job line still sits in a `BufWriter` that is never flushed.{pic}"
    ))
    .candidates([
        Cause::LockHeldWhileWaiting,
        Cause::ChannelNeverClosed,
        Cause::NotFlushed,
        Cause::BusyLoop,
    ])
    .advice(
        "read exactly one line per job (`read_line`); hold no lock while you wait for a \
         worker; flush after every job.",
    )
    .fail();
}

/// The whole judgment of a run: results, format, meets, slots, pool, census.
#[track_caller]
pub fn judge(run_and_panic: (Run, Option<Box<dyn Any + Send>>), meets: Meets) {
    let (run, got) = results(run_and_panic);
    let (w, n) = (run.workers, run.jobs.len());
    let what = call(w, &run.jobs);
    if got.len() != n {
        Diagnosis::new(format!(
            "{what} returned {} for {}.",
            count(got.len(), "result"),
            count(n, "job")
        ))
        .advice("return exactly one result per job, in the order of `jobs`.")
        .fail();
    }
    judge_format(&what, &run.jobs, &got);
    judge_meets(&what, &run, &got, meets);
    judge_slots(&what, &run.jobs, &got);
    judge_pool(&what, &run, &got);
    judge_census(&what, &run.census);
}

/// Answers kept with `ok `, with their line end, or taken for results.
#[track_caller]
fn judge_format(what: &str, jobs: &[Job], got: &[Result<String, JobError>]) {
    for (i, (job, result)) in jobs.iter().zip(got).enumerate() {
        let text = match result {
            Ok(text) | Err(JobError::BadReply(text)) => text,
            Err(JobError::WorkerCrashed) => continue,
        };
        if text.ends_with('\n') || text.ends_with('\r') {
            Diagnosis::new(format!(
                "{what}: the result of job {i} ({}) is {}: it still ends with the line end.",
                job.short(),
                show(result)
            ))
            .advice(
                "`read_line` keeps the '\\n' at the end of the line: take it off \
                 (`line.trim_end()`) before you look at the answer.",
            )
            .fail();
        }
        let Ok(text) = result else { continue };
        if job.dies() {
            continue;
        }
        if text.starts_with("ok ") {
            Diagnosis::new(format!(
                "{what}: the result of job {i} ({}) is {}: it still starts with `ok `.",
                job.short(),
                show(result)
            ))
            .advice(
                "the worker's `ok ` only says \"this is a result\": Ok holds the text \
                 after it (`line.strip_prefix(\"ok \")`).",
            )
            .fail();
        }
        if !text.starts_with(|c: char| c.is_ascii_digit()) {
            Diagnosis::new(format!(
                "{what}: the worker answered job {i} ({}) with `{}`, which is not a result, \
                 but your code returned it as Ok.",
                job.short(),
                cut(text, 50)
            ))
            .cause(Cause::ErrorSwallowed)
            .advice(
                "only an answer that starts with `ok ` is a result; any other answer \
                 is Err(JobError::BadReply(the whole line)).",
            )
            .fail();
        }
    }
}

/// A `meet` that gave up: the workers did not run side by side.
#[track_caller]
fn judge_meets(what: &str, run: &Run, got: &[Result<String, JobError>], meets: Meets) {
    let w = run.workers;
    let meet_of = |r: &Result<String, JobError>| {
        let (pid, rest) = split_pid(r.as_ref().ok()?)?;
        let (gave_up, rest) = match rest.strip_prefix("gave-up ") {
            Some(rest) => (true, rest),
            None => (false, rest.strip_prefix("met ")?),
        };
        let (k, of) = rest.split_once('/')?;
        Some((
            pid,
            gave_up,
            k.parse::<usize>().ok()?,
            of.parse::<usize>().ok()?,
        ))
    };
    let Some((_, _, k, of)) = got.iter().filter_map(meet_of).find(|m| m.1) else {
        return;
    };
    let waited = fmt_duration(MEET_PATIENCE);
    let mut meet_pids: Vec<u32> = got
        .iter()
        .filter_map(meet_of)
        .filter(|m| m.3 == of)
        .map(|m| m.0)
        .collect();
    meet_pids.sort_unstable();
    meet_pids.dedup();
    let mut all_pids: Vec<u32> = got
        .iter()
        .filter_map(|r| split_pid(r.as_ref().ok()?).map(|(pid, _)| pid))
        .collect();
    all_pids.sort_unstable();
    all_pids.dedup();
    if meets == Meets::Together && meet_pids.len() == 1 && all_pids.len() > 1 {
        Diagnosis::new(format!(
            "{what}: the {of} `meet {of}` jobs need {of} workers running them at the same time, \
             but all of them were run by the same worker process (pid {}), one after another, \
             while {} other worker {} other jobs: the jobs were dealt out to the workers up \
             front, and the meets queued behind each other.{}",
            meet_pids[0],
            all_pids.len() - 1,
            if all_pids.len() == 2 {
                "ran"
            } else {
                "processes ran"
            },
            record_picture(run)
        ))
        .cause(Cause::UnderUsed)
        .advice(TAKE_THE_NEXT_JOB)
        .fail();
    }
    if k <= 1 {
        Diagnosis::new(format!(
            "{what}: a `meet {of}` job waited {waited} for other jobs to run alongside it, \
             and none ever did: your code ran one job at a time, though workers = {w}.{}",
            record_picture(run)
        ))
        .cause(Cause::Sequential)
        .advice(ONE_AT_A_TIME)
        .fail();
    }
    match meets {
        Meets::SlowFirst => Diagnosis::new(format!(
            "{what}: job 0 (`meet {of}`) waits until the {} `meet 1` jobs after it have run, \
             which the other {} can do meanwhile. It gave up after {waited} with only {} of \
             them done: the others were queued behind the slow job.{}",
            of - 1,
            count(w - 1, "worker"),
            k - 1,
            record_picture(run)
        ))
        .cause(Cause::UnderUsed)
        .advice(TAKE_THE_NEXT_JOB)
        .fail(),
        _ => Diagnosis::new(format!(
            "{what}: the `meet {of}` jobs need {of} workers running them at the same time, \
             but after {waited} only {k} of them had started.{}",
            record_picture(run)
        ))
        .candidates([Cause::UnderUsed, Cause::Sequential])
        .advice(
            "start `min(workers, jobs.len())` worker processes, each with its own \
             thread, and let every free worker take the next job.",
        )
        .fail(),
    }
}

/// A crash returned as a success (`Ok`) is a hidden error; any other wrong
/// result for a crash proves nothing about why.
fn crash_as_success(diagnosis: Diagnosis, result: &Result<String, JobError>) -> Diagnosis {
    diagnosis.cause_if(result.is_ok().then_some(Cause::ErrorSwallowed))
}

/// A cause asserted only where the evidence at hand proves it.
trait CauseIf {
    fn cause_if(self, cause: Option<Cause>) -> Self;
}

impl CauseIf for Diagnosis {
    fn cause_if(self, cause: Option<Cause>) -> Diagnosis {
        match cause {
            Some(cause) => self.cause(cause),
            None => self,
        }
    }
}

/// Every slot holds its own job's result.
#[track_caller]
fn judge_slots(what: &str, jobs: &[Job], results: &[Result<String, JobError>]) {
    let n = jobs.len();
    let want: Vec<String> = jobs.iter().map(Job::want).collect();
    let got: Vec<String> = results.iter().map(key).collect();
    if got == want {
        return judge_bad_replies(what, jobs, results);
    }
    let (mut sorted_got, mut sorted_want) = (got.clone(), want.clone());
    sorted_got.sort();
    sorted_want.sort();
    if sorted_got == sorted_want {
        Diagnosis::new(format!(
            "{what} returned the right results in the wrong order: {} instead of {}. Results \
             must go each into its own job's slot, whatever order the jobs finish in.",
            preview(&got, 5),
            preview(&want, 5)
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "remember each job's index with its result (`(i, result)` pairs, or a slot \
             per job) and put every result into slot i.",
        )
        .fail();
    }
    let i = (0..n).find(|&i| got[i] != want[i]).expect("a difference");
    let (job, result) = (&jobs[i], &results[i]);
    let death_before = jobs[..i].iter().position(Job::dies);
    match (job, result) {
        (Crash, _) => crash_as_success(
            Diagnosis::new(format!(
                "{what}: job {i} is `crash`: the worker died without an answer, but your result \
                 is {}.",
                show(result)
            )),
            result,
        )
        .advice(
            "a worker that dies closes its stdout: `read_line` returns Ok(0) (end of \
             file) instead of a line. No answer means Err(JobError::WorkerCrashed).",
        )
        .fail(),
        (Cut(_), _) => crash_as_success(
            Diagnosis::new(format!(
                "{what}: job {i} is `{}`: the worker wrote `{}` with no line end and died in the \
                 middle of its answer, but your result is {}. A line cut short is no answer: at \
                 the end of the pipe, `read_line` hands over what there is, without the '\\n', \
                 and here that looks like a result with a wrong number.",
                job.short(),
                job.answer(),
                show(result)
            )),
            result,
        )
        .advice(
            "take a line as an answer only if it ends with '\\n' \
             (`line.ends_with('\\n')`); without it, the worker died while writing: \
             Err(JobError::WorkerCrashed).",
        )
        .fail(),
        (_, Err(JobError::WorkerCrashed)) if death_before.is_some() => {
            let c = death_before.expect("checked");
            let lost = (c + 1..n)
                .filter(|&j| !jobs[j].dies() && matches!(results[j], Err(JobError::WorkerCrashed)))
                .count();
            Diagnosis::new(format!(
                "{what}: job {c} crashed its worker, and {} after it {} never done: job {i} \
                 ({}) got Err(WorkerCrashed) though its worker never ran it.",
                count(lost, "job"),
                was(lost),
                job.short()
            ))
            .advice(
                "a crash costs only its own job: wait for the dead worker, start a \
                 fresh one (`Command::spawn` again) and go on with the next job.",
            )
            .fail()
        }
        (Unknown(text), _) => Diagnosis::new(format!(
            "{what}: job {i} ({text:?}) is not a job the worker knows. It answered `{}`, so \
             the result is Err(BadReply(that line)); yours is {}.",
            job.answer(),
            show(result)
        ))
        .advice(
            "an answer that does not start with `ok ` is \
             Err(JobError::BadReply(the whole line, without its line end)).",
        )
        .fail(),
        _ => {
            let wrong = (0..n).filter(|&j| got[j] != want[j]).count();
            Diagnosis::new(format!(
                "{what}: the worker answers job {i} ({}) with `{}`, so its result is \
                 Ok(\"<pid> {}\"); yours is {}.{}",
                job.short(),
                job.answer(),
                want[i],
                show(result),
                if wrong > 1 {
                    format!(" ({wrong} of the {n} results are wrong.)")
                } else {
                    String::new()
                }
            ))
            .advice(
                "send each job as one line (`writeln!`), read exactly one answer line per \
                 job, and put the text after `ok ` into that job's slot.",
            )
            .fail()
        }
    }
}

/// A bad reply holds the worker's whole line.
#[track_caller]
fn judge_bad_replies(what: &str, jobs: &[Job], results: &[Result<String, JobError>]) {
    for (i, (job, result)) in jobs.iter().zip(results).enumerate() {
        if let (Unknown(_), Err(JobError::BadReply(line))) = (job, result) {
            if line.trim_end() != job.answer() {
                Diagnosis::new(format!(
                    "{what}: job {i} gave Err(BadReply({:?})), but the worker's line was `{}`.",
                    cut(line, 50),
                    job.answer()
                ))
                .advice("keep the whole line in BadReply, only without its line end.")
                .fail();
            }
        }
    }
}

/// No more processes than a pool of `workers` needs.
#[track_caller]
fn judge_pool(what: &str, run: &Run, results: &[Result<String, JobError>]) {
    let (w, n) = (run.workers, run.jobs.len());
    let deaths = run.jobs.iter().filter(|j| j.dies()).count();
    let mut pids: Vec<u32> = results
        .iter()
        .filter_map(|r| split_pid(r.as_ref().ok()?).map(|(pid, _)| pid))
        .collect();
    pids.sort_unstable();
    pids.dedup();
    if run.census.observed && run.census.started.is_empty() && !pids.is_empty() {
        Diagnosis::new(format!(
            "{what}: workers answered (process ids {}), but none of them was started from \
             the path `run_jobs` was given, so the grader cannot check them.",
            preview(&pids, 3)
        ))
        .advice("start the workers with `Command::new(worker_exe)`, the path as it is given.")
        .fail();
    }
    let started = if run.census.observed {
        run.census.started.len().max(pids.len())
    } else {
        pids.len()
    };
    let allowed = w.min(n) + deaths;
    if started <= allowed {
        return;
    }
    let after_crashes = if deaths > 0 {
        format!(" plus one fresh worker per crash ({deaths})")
    } else {
        String::new()
    };
    let per_job = started > w + deaths && started >= n;
    let note = if per_job {
        " A new process for every job is not a pool: starting a process costs far more \
         than sending it a line."
    } else if started > w + deaths {
        " That is more than `workers` allows."
    } else {
        " A worker with no job to do should not be started."
    };
    Diagnosis::new(format!(
        "{what} started {} for {}, where {allowed} {} enough: min(workers, jobs) = \
         {}{after_crashes}.{note}{}",
        processes(started),
        count(n, "job"),
        if allowed == 1 { "is" } else { "are" },
        w.min(n),
        record_picture(run)
    ))
    .cause_if(per_job.then_some(Cause::ResourcePerCall))
    .advice(
        "start `min(workers, jobs.len())` workers, each once, and send each one job \
         after job until none is left; start a new one only to replace a worker that \
         crashed.",
    )
    .fail();
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
        Diagnosis::new(format!(
            "{what}: {k} of the {} your code started {} never waited for (zombies): {} \
             exited, but a process stays in the process table until its parent waits for it.",
            processes(census.started.len()),
            was(k),
            if k == 1 { "it" } else { "they" }
        ))
        .cause(Cause::NeverJoined)
        .advice(
            "call `child.wait()` on every Child, the crashed ones too (close its stdin \
             first). Dropping a `Child` does not wait for the process.",
        )
        .fail();
    }
    if !census.running.is_empty() {
        let k = census.running.len();
        Diagnosis::new(format!(
            "{what}: {} {} still running {} after `run_jobs` returned (the grader killed \
             {}).",
            processes(k),
            was(k),
            fmt_duration(EXIT_GRACE),
            if k == 1 { "it" } else { "them" }
        ))
        .cause(Cause::NeverJoined)
        .advice(
            "close its stdin and wait for it: `drop(stdin)` tells the worker there are \
             no more jobs, and `child.wait()` waits until it has exited.",
        )
        .fail();
    }
}
