//! The judges: what the probe saw, turned into a verdict and a diagnosis.

use std::any::Any;
use std::io;
use std::time::Duration;

use ex08::JobPanicked;
use grading::{
    count, cut, fmt_duration, ms, payload_text, preview, record_student_panic, Cause, Clock,
    Diagnosis, Timeline,
};

use crate::probe::{run_probe, value, Finish, Report, Setup, NOTHING_TO_WAIT_FOR, PATIENCE};

pub const SPAWN_BLOCKING: &str = "move the blocking call off the runtime: \
    `tokio::task::spawn_blocking(move || work(input))` runs it on tokio's blocking threads, and \
    `.await` on its JoinHandle lets the runtime run other tasks until the job is done.";

/// Explains a panic that came out of the student's function (and records it
/// for the checker: call this on the test's own thread).
#[track_caller]
pub fn judge_panic(what: &str, payload: Box<dyn Any + Send>) -> ! {
    let explained = record_student_panic(payload.as_ref());
    let text = payload_text(payload.as_ref());
    if text.contains("multi-threaded runtime") {
        Diagnosis::new(format!(
            "{what} panicked with \"{text}\": `tokio::task::block_in_place` only works on a \
             multi-thread runtime, and the tests (like `#[tokio::test]`) use a current-thread \
             one, where the runtime's only thread cannot be given away."
        ))
        .advice(format!(
            "{SPAWN_BLOCKING} It works on every kind of runtime."
        ))
        .fail();
    }
    panic!("\n{explained}\n");
}

/// Did the runtime keep running while the jobs blocked?
#[track_caller]
pub fn judge_runtime(setup: Setup, report: &Report) {
    let what = setup.what();
    if let Some(&i) = report.on_runtime.first() {
        // Seen by thread id: `work` itself ran on the runtime's thread.
        Diagnosis::new(format!(
            "the runtime froze: {what} ran `work` on the runtime's own thread ({} of the jobs, \
             job {i} first), the thread that runs every task, so while a job blocked, no other \
             task could run (the grader's heartbeat task could not answer).{}",
            report.on_runtime.len(),
            record_picture(setup, report)
        ))
        .cause(Cause::BlockingInAsync)
        .advice(format!(
            "{SPAWN_BLOCKING} Calling `work(input)` in the async fn, or in a `tokio::spawn`ed \
             task, runs it on the runtime's thread."
        ))
        .fail();
    }
    if let Some(i) = report.silent {
        // A silent ping is corroborated (see `probe::ping`): the runtime's
        // thread was not merely waiting for a core of a busy machine.
        Diagnosis::new(format!(
            "the runtime froze: job {i} ran on another thread, but while it blocked, the \
             grader's heartbeat task on the same runtime got no answer for at least {}: the \
             runtime's thread was stuck waiting for the job instead of running tasks.{}",
            fmt_duration(PATIENCE),
            record_picture(setup, report)
        ))
        .cause(Cause::BlockingInAsync)
        .advice(format!(
            "never wait for a thread in async code: `std::thread::JoinHandle::join()`, a \
             `std::sync::mpsc` `recv()` or `futures::executor::block_on` block the runtime just \
             like `work` itself. Instead, {SPAWN_BLOCKING}"
        ))
        .fail();
    }
}

/// Each input handed to `work` exactly once.
#[track_caller]
pub fn judge_calls(setup: Setup, report: &Report) {
    let what = setup.what();
    if !report.strangers.is_empty() {
        Diagnosis::new(format!(
            "{what} called `work` with {}, which is not one of the inputs 0..{}.",
            preview(&report.strangers, 5),
            setup.jobs
        ))
        .advice("call `work` once with each input, as it is.")
        .fail();
    }
    let missing: Vec<usize> = (0..setup.jobs).filter(|&i| report.calls[i] == 0).collect();
    let twice: Vec<usize> = (0..setup.jobs).filter(|&i| report.calls[i] > 1).collect();
    if !twice.is_empty() {
        Diagnosis::new(format!(
            "{what} called `work` more than once for the inputs {}.",
            preview(&twice, 6)
        ))
        .advice("call `work` exactly once per input.")
        .fail();
    }
    if !missing.is_empty() {
        Diagnosis::new(format!(
            "{what} returned before `work` ran for the inputs {}.",
            preview(&missing, 6)
        ))
        .advice(
            "await every job's JoinHandle before returning; a job that is spawned but never \
             awaited may not even have started.",
        )
        .fail();
    }
}

fn want(setup: Setup, i: usize) -> Result<String, JobPanicked> {
    if setup.panicking == Some(i) {
        Err(JobPanicked { index: i })
    } else {
        Ok(value(i))
    }
}

/// The job a result belongs to, if it is one of the test's.
fn job_of(setup: Setup, result: &Result<String, JobPanicked>) -> Option<usize> {
    (0..setup.jobs).find(|&i| want(setup, i) == *result)
}

/// One result per input, each in its own slot.
#[track_caller]
pub fn judge_results(setup: Setup, got: &[Result<String, JobPanicked>], report: &Report) {
    let n = setup.jobs;
    let what = setup.what();
    if got.len() != n {
        Diagnosis::new(format!("{what} returned {}.", count(got.len(), "result")))
            .advice("return exactly one result per input, in the order of `inputs`.")
            .fail();
    }
    let wants: Vec<_> = (0..n).map(|i| want(setup, i)).collect();
    let wrong: Vec<usize> = (0..n).filter(|&i| got[i] != wants[i]).collect();
    let Some(&first) = wrong.first() else {
        return;
    };
    // Right results, wrong slots?
    let order: Option<Vec<usize>> = got.iter().map(|r| job_of(setup, r)).collect();
    if let Some(order) = order.filter(|o| {
        let mut sorted = o.clone();
        sorted.sort_unstable();
        sorted == (0..n).collect::<Vec<_>>()
    }) {
        let jobs = |list: &[usize]| preview_with_jobs(list);
        let why = if order == report.finished {
            format!(
                "the order the jobs finished in ({}): they were collected as each job \
                 finished, not each in its own slot",
                jobs(&report.finished)
            )
        } else {
            format!(
                "{}, while the jobs finished as {}: not each in its own slot",
                jobs(&order),
                jobs(&report.finished)
            )
        };
        Diagnosis::new(format!(
            "{what} returned the right results in the wrong order: {why}.{}",
            record_picture(setup, report)
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "keep the JoinHandles in a Vec in input order and await them one by one (or \
             `futures::future::join_all(handles)`): each result then lands in its own slot. \
             `JoinSet::join_next`, `FuturesUnordered` and `buffer_unordered` give results as jobs \
             finish: put each in the slot of its index.",
        )
        .fail();
    }
    if let Some(p) = setup.panicking {
        if let Err(JobPanicked { index }) = got[p] {
            if index != p {
                Diagnosis::new(format!(
                    "{what}: job {p} panicked and its slot holds Err(JobPanicked {{ index: \
                     {index} }}), but `index` must be the job's position in `inputs`, {p}."
                ))
                .advice("number the handles with `.enumerate()` when you await them.")
                .fail();
            }
        }
        if got[p].is_ok() {
            Diagnosis::new(format!(
                "{what}: job {p} panicked, but its slot holds {:?}.",
                got[p]
            ))
            .cause(Cause::ErrorSwallowed)
            .advice(
                "a panicking job's handle gives an `Err(JoinError)` with `is_panic()`: report it \
                 as `Err(JobPanicked { index })`.",
            )
            .fail();
        }
    }
    Diagnosis::new(format!(
        "{what}: slot {first} holds {:?}, expected {:?}.{}",
        got[first],
        wants[first],
        if wrong.len() > 1 {
            format!(" ({} of the {n} slots are wrong.)", wrong.len())
        } else {
            String::new()
        }
    ))
    .advice(
        "return `work`'s own value for each input, in its slot: `Ok(value)`, or \
         `Err(JobPanicked { index })` if that job panicked.",
    )
    .fail();
}

/// "[job 4, job 3, …] (5 in all)".
fn preview_with_jobs(list: &[usize]) -> String {
    grading::preview_with(list, 6, |i| format!("job {i}"))
}

/// Every job in flight at once, as the sheet asks.
#[track_caller]
pub fn judge_overlap(setup: Setup, report: &Report) {
    let n = setup.jobs;
    let Some(miss) = report.miss else {
        return;
    };
    let waited = fmt_duration(PATIENCE);
    if report.peak <= 1 {
        Diagnosis::new(format!(
            "the {n} jobs ran one at a time: never more than 1 in flight, though all {n} were \
             handed over at once (the grader waited, while the first one blocked, until no job \
             had started for {waited}).{}",
            record_picture(setup, report)
        ))
        .cause(Cause::Sequential)
        .advice(
            "start every job before awaiting any: collect the `tokio::task::spawn_blocking` \
             handles into a Vec, then await them. `spawn_blocking(..).await` in a loop waits for \
             each job before starting the next, and so does awaiting inside a lazy `.map(..)` \
             iterator that was never collected.",
        )
        .fail();
    }
    let running = miss.inside;
    if report.on_rayon > 0 {
        Diagnosis::new(format!(
            "never more than {} of the {n} jobs were in flight at once: they ran on rayon's \
             thread pool, which runs a fixed number of threads (one per core by default), so \
             the other jobs waited in its queue while these blocked (the grader waited for all \
             {n} to run together, as the sheet asks, until no job had started for {waited}).{}",
            report.peak,
            record_picture(setup, report)
        ))
        .cause(Cause::UnderUsed)
        .advice(
            "rayon is for short CPU-bound work, not for calls that block. Tokio's blocking pool \
             starts a thread per blocking job (up to 512): \
             `tokio::task::spawn_blocking(move || work(input))` for every input, before \
             awaiting any.",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "never more than {} of the {n} jobs were in flight at once: while {} blocked, no \
         other job was started (the grader waited for all {n} to run together, as the sheet \
         asks, until no job had started for {waited}). Something keeps a window of jobs in flight: most \
         likely `buffered({running})` or `buffer_unordered({running})` on a stream of jobs, a \
         Semaphore with {running} permits, or jobs started in chunks of {running}.{}",
        report.peak,
        count(running, "job"),
        record_picture(setup, report)
    ))
    .cause(Cause::UnderUsed)
    .advice(
        "start every job before awaiting any: collect the `tokio::task::spawn_blocking` handles \
         into a Vec, then await them (tokio's blocking pool runs up to 512 at once). Limiting \
         how many run at once is exercise 10; here they all run together.",
    )
    .fail();
}

/// Everything a probe test checks, in the order that names the root cause.
#[track_caller]
pub fn judge_probe(setup: Setup) {
    let (outcome, report) = run_probe(setup);
    judge_runtime(setup, &report);
    let got = match outcome {
        Some(Ok(got)) => got,
        Some(Err(payload)) => judge_job_panic(setup, payload),
        None => judge_pending(setup),
    };
    judge_calls(setup, &report);
    judge_results(setup, &got, &report);
    judge_overlap(setup, &report);
}

/// `run_blocking_all` itself panicked.
#[track_caller]
fn judge_job_panic(setup: Setup, payload: Box<dyn Any + Send>) -> ! {
    let text = payload_text(payload.as_ref());
    if let Some(p) = setup.panicking {
        if !grading::reached_todo(payload.as_ref()) && !text.contains("multi-threaded runtime") {
            let first_line = cut(text.lines().next().unwrap_or_default(), 140);
            // Records the panic for the checker; the message below explains it.
            let _ = record_student_panic(payload.as_ref());
            Diagnosis::new(format!(
                "{} panicked when job {p} panicked (\"{first_line}\"): one panicking job took \
                 every result down, the other jobs' results included.",
                setup.what()
            ))
            .advice(
                "don't `unwrap` what a JoinHandle gives: `Err(e)` with `e.is_panic()` is \
                 that job's panic, caught by tokio; turn it into \
                 `Err(JobPanicked { index })` for its slot and go on awaiting the others.",
            )
            .fail();
        }
    }
    judge_panic(&setup.what(), payload)
}

/// `run_blocking_all` stayed pending though nothing was left to wait for.
#[track_caller]
pub fn judge_pending(setup: Setup) -> ! {
    Diagnosis::new(format!(
        "{} never returned: it stayed pending with no job running and nothing left to wait \
         for. Most likely a stream of jobs with a window as wide as the input, \
         `buffered(inputs.len())` or `buffer_unordered(inputs.len())`, which never finishes \
         when there are no inputs: a window of 0 never pulls from the stream, so the stream \
         never learns that it is empty.{}",
        setup.what(),
        record_pending_picture()
    ))
    .advice(
        "return an empty Vec at once when there are no inputs, or spawn every job and \
         await the handles in a loop (an empty loop ends at once).",
    )
    .fail();
}

/// A call that stayed pending for [`NOTHING_TO_WAIT_FOR`] of tokio's
/// (paused) clock, with no job to wait for; a correct one returns at once.
fn record_pending_picture() -> String {
    let seen = Timeline::new("what your code did", Clock::Virtual)
        .lane("pending", &[(Duration::ZERO, NOTHING_TO_WAIT_FOR)])
        .mark("grader gave up", NOTHING_TO_WAIT_FOR);
    let correct = Timeline::new("what a correct solution does", Clock::Virtual)
        .lane("pending", &[])
        .mark("returned", Duration::ZERO);
    grading::record_picture(&seen, &correct)
}

/// `count_lines` on a regular file.
#[track_caller]
pub fn judge_count(name: &str, want: usize, why: &str, got: io::Result<usize>) {
    match got {
        Ok(got) => {
            if got != want {
                Diagnosis::new(format!(
                    "count_lines({name}) returned Ok({got}), expected Ok({want}): {why}."
                ))
                .advice(
                    "count the lines as `str::lines` (or `BufRead::lines`) does; counting \
                     '\\n' bytes misses a last line without one.",
                )
                .fail();
            }
        }
        Err(e) => Diagnosis::new(format!(
            "count_lines({name}) returned Err({:?}: {e}), expected Ok({want}).",
            e.kind()
        ))
        .advice(
            "open the file with `std::fs::File::open` (or read it with \
             `std::fs::read_to_string`) inside `spawn_blocking`.",
        )
        .fail(),
    }
}

/// `count_lines` on a file that does not exist.
#[track_caller]
pub fn judge_missing(got: io::Result<usize>) {
    match got {
        Err(e) => {
            if e.kind() != io::ErrorKind::NotFound {
                Diagnosis::new(format!(
                    "count_lines(missing.txt) returned an error of kind {:?} ({e}), expected \
                     NotFound: the file does not exist, and `std::fs` says so with NotFound.",
                    e.kind()
                ))
                .cause(Cause::ErrorSwallowed)
                .advice("return the error `std::fs` gives as it is (`?` inside the closure).")
                .fail();
            }
        }
        Ok(n) => Diagnosis::new(format!(
            "count_lines(missing.txt) returned Ok({n}), but the file does not exist."
        ))
        .cause(Cause::ErrorSwallowed)
        .advice("pass the error from `File::open` on (`?`), don't turn it into a count.")
        .fail(),
    }
}

/// When each job ran, above what a correct solution does with the same jobs:
/// all of them at once (and with [`Finish::Reversed`], the last one done
/// first). When the heartbeat did not answer, a lane "ping wait" shows how
/// long the grader's ping waited (microseconds when the runtime runs).
fn record_picture(setup: Setup, r: &Report) -> String {
    let mut seen = Timeline::new("what your code did", Clock::Real);
    for (i, span) in r.spans.iter().enumerate() {
        // A job still running when the report was made is drawn as unknown
        // from its start: its end was not seen.
        let spans: Vec<(Duration, Option<Duration>)> = span.iter().copied().collect();
        seen = seen.lane_partly_seen(&format!("job {i}"), &spans, r.ended_at);
    }
    if let Some(ping) = r.silent_at {
        seen = seen.lane("ping wait", &[ping]);
    }
    let end = seen.end().max(r.ended_at).max(ms(1));
    let n = u32::try_from(setup.jobs).unwrap_or(u32::MAX);
    let mut correct = Timeline::new("what a correct solution does", Clock::Real);
    for i in 0..n {
        let done = match setup.finish {
            Finish::Freely => end,
            Finish::Reversed => end * (n - i) / n,
        };
        correct = correct.lane(&format!("job {i}"), &[(Duration::ZERO, done)]);
    }
    if let Some((sent, _)) = r.silent_at {
        correct = correct.lane("ping wait", &[(sent, sent + end / 100)]);
    }
    grading::record_picture(&seen, &correct)
}

#[cfg(unix)]
pub use self::fifo::judge_pipe;

#[cfg(unix)]
mod fifo {
    use std::io;
    use std::time::Duration;

    use grading::{fmt_duration, ms, Cause, Clock, Diagnosis, Timeline};

    use crate::pipe::{runtime_among, PipeLog, LINES};
    use crate::probe::{Pong, RuntimeThread, PATIENCE};

    /// `count_lines` on the named pipe: did the runtime keep running while
    /// the pipe made it wait, and did it count every line?
    #[track_caller]
    pub fn judge_pipe(log: &PipeLog, runtime: &RuntimeThread, counted: io::Result<usize>) {
        let waited = format!("at least {}", fmt_duration(PATIENCE));
        let whole = "do the opening, reading and counting all inside one \
            `tokio::task::spawn_blocking(move || { let file = File::open(&path)?; ... })` and \
            `.await` its handle (that is what `tokio::fs` does)";
        if log.before_open == Some(Pong::Silent) {
            // Threads are told apart by id (see `pipe`): a helper thread
            // spawned from the runtime's thread bears the runtime's name.
            if runtime_among(&log.openers, runtime) {
                Diagnosis::new(format!(
                    "count_lines froze the runtime: it opened the file on the runtime's own \
                     thread. The grader gave it a named pipe, whose `File::open` waits until a \
                     writer opens the other end, and the runtime's thread was seen waiting in \
                     that open while the grader's heartbeat task got no answer for {waited}. \
                     Opening blocks like reading does (a pipe, a slow disk, a network share), \
                     and `File::open` outside the closure runs on the runtime's thread.{}",
                    record_picture(log)
                ))
                .cause(Cause::BlockingInAsync)
                .advice(format!("{whole}."))
                .fail();
            }
            if log.openers.as_ref().is_some_and(|ids| !ids.is_empty()) {
                Diagnosis::new(format!(
                    "count_lines froze the runtime: while another thread waited to open the \
                     named pipe it was given (opening a pipe waits until a writer opens the \
                     other end), the grader's heartbeat task on the same runtime got no answer \
                     for {waited}: the runtime's thread was blocked waiting for that thread \
                     (`futures::executor::block_on`, `join()`, a `std::sync::mpsc` `recv()`).{}",
                    record_picture(log)
                ))
                .cause(Cause::BlockingInAsync)
                .advice(
                    "`.await` the other thread's work instead of waiting for it: \
                     `tokio::task::spawn_blocking(..).await` (or a `tokio::sync::oneshot` \
                     receiver the thread sends its count to) gives the runtime's thread back to \
                     the other tasks until the count is done.",
                )
                .fail();
            }
            Diagnosis::new(format!(
                "count_lines froze the runtime: while the named pipe it was given waited for \
                 its writer (opening a pipe waits until a writer opens the other end), the \
                 grader's heartbeat task on the same runtime got no answer for {waited}. \
                 Something blocked the runtime's thread: most likely opening or reading the \
                 file outside `spawn_blocking` (`File::open`, `std::fs::read_to_string`), or a \
                 blocking wait for the thread doing it (`block_on`, `join()`, `recv()`).{}",
                record_picture(log)
            ))
            .cause(Cause::BlockingInAsync)
            .advice(format!("{whole}."))
            .fail();
        }
        if log.while_reading == Some(Pong::Silent) {
            let seen = if runtime_among(&log.readers, runtime) {
                "the runtime's own thread was seen waiting in that read"
            } else {
                "the runtime's thread was blocked"
            };
            Diagnosis::new(format!(
                "count_lines froze the runtime while reading: the named pipe was open and the \
                 reader had taken most of its lines, and while it waited for the last ones the \
                 grader's heartbeat task got no answer for {waited}: {seen}. The file was \
                 opened off the runtime, but read on it.{}",
                record_picture(log)
            ))
            .cause(Cause::BlockingInAsync)
            .advice(format!("{whole}: the reading too, not only the opening."))
            .fail();
        }
        match counted {
            // A named pipe's size is 0: its lines exist only as they are read.
            Ok(0) if log.opened_at.is_none() => Diagnosis::new(format!(
                "count_lines(a named pipe carrying {LINES} lines) returned Ok(0) without ever \
                 opening it: the grader's writer never saw a reader. A named pipe's size is 0 \
                 (`metadata().len()` tells nothing about it): its lines arrive only once it is \
                 opened and read."
            ))
            .advice(
                "open the file and read it to the end (until `read` returns 0, or \
                 `BufRead::lines` runs out), whatever its size says.",
            )
            .fail(),
            Ok(0) => Diagnosis::new(format!(
                "count_lines(a named pipe carrying {LINES} lines) opened it and returned Ok(0), \
                 as if it had read nothing. A named pipe's size is 0 \
                 (`metadata().len()`): a read sized from it, or a loop that stops when the \
                 size is reached, reads nothing."
            ))
            .advice(
                "read to the end of the file: until `read` returns 0 (end of file), or \
                 with `BufRead::lines`, whatever the size says.",
            )
            .fail(),
            Ok(n) => {
                if n != LINES {
                    Diagnosis::new(format!(
                        "count_lines(a named pipe carrying {LINES} lines) returned Ok({n})."
                    ))
                    .advice(
                        "open the file at `path` and count every line until the end of the file.",
                    )
                    .fail();
                }
            }
            Err(e) => Diagnosis::new(format!(
                "count_lines(a named pipe carrying {LINES} lines) returned Err({:?}: {e}), \
                 expected Ok({LINES}).",
                e.kind()
            ))
            .advice(
                "open the path with `std::fs::File::open` and read it to the end: a pipe \
                 reads like a file.",
            )
            .fail(),
        }
    }

    /// What the grader's writer saw, above what it sees with a correct
    /// `count_lines`: lanes for the pipe waiting to be opened at both ends,
    /// the writing (the reader reading), and each ping's wait for the
    /// heartbeat's answer (microseconds when the runtime runs).
    fn record_picture(log: &PipeLog) -> String {
        let mut seen = Timeline::new("what your code did", Clock::Real);
        let writing_from = log
            .opened_at
            .unwrap_or_else(|| log.done_at.unwrap_or_default());
        seen = seen.lane("pipe open", &[(Duration::ZERO, writing_from)]);
        let writing: Vec<(Duration, Duration)> = log
            .opened_at
            .iter()
            .map(|&at| (at, log.done_at.unwrap_or(at).max(at)))
            .collect();
        seen = seen
            .lane("pipe read", &writing)
            .lane("ping wait", &log.pings);
        let end = seen.end().max(ms(1));
        let blip = end / 100;
        let open = end / 4;
        let correct = Timeline::new("what a correct count_lines does", Clock::Real)
            .lane("pipe open", &[(Duration::ZERO, open)])
            .lane("pipe read", &[(open, end)])
            .lane(
                "ping wait",
                &[
                    (open / 2, open / 2 + blip),
                    (end * 3 / 4, end * 3 / 4 + blip),
                ],
            );
        grading::record_picture(&seen, &correct)
    }
}
