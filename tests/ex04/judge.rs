//! The judges: what the probe's report and the results mean, and what to
//! try.

use std::io;
use std::time::Duration;

use grading::{count, cut, fmt_duration, ms, preview, was, Cause, Clock, Diagnosis, Timeline};

use crate::probe::{
    contents, label, read_real_files, run_probe, Content, Finish, Report, Setup, PATIENCE,
};

/// The watchdog's diagnosis: it proves no cause, only that nothing ended.
pub fn hung() -> Diagnosis {
    Diagnosis::new(
        "The pool never finished: `read_all_with` did not return. Something waits forever: a \
         worker that never leaves its loop (a channel whose Sender is never dropped, a loop \
         that never ends), or a deadlock.",
    )
    .candidates([Cause::ChannelNeverClosed, Cause::BusyLoop, Cause::LockOrder])
    .advice(
        "every worker's loop must end once no file is left. With a channel, drop the Sender \
         (`drop(tx)`) after queueing the files, or `for path in rx` waits for more forever; \
         `thread::scope` only returns when every thread spawned in it has ended.",
    )
}

/// A result as the messages show it, cut short.
fn show(result: &io::Result<String>) -> String {
    match result {
        Ok(text) => format!("Ok({:?})", cut(text, 30)),
        Err(e) => format!("Err({:?}: {})", e.kind(), cut(&e.to_string(), 50)),
    }
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
fn judge_calls(setup: Setup, report: &Report, record_picture: &dyn Fn() -> String) {
    let n = setup.files;
    if let Some(stranger) = report.strangers.first() {
        Diagnosis::new(format!(
            "your code called `read` with {stranger:?}, which is not one of the {n} paths it \
             was given."
        ))
        .advice("call `read(path)` with the paths from `paths`, each exactly once.")
        .fail();
    }
    let twice: Vec<String> = (0..n)
        .filter(|&i| report.calls[i] > 1)
        .map(|i| format!("{} ({} times)", label(i), report.calls[i]))
        .collect();
    if !twice.is_empty() {
        Diagnosis::new(format!(
            "some files were read more than once: {}.{}",
            preview(&twice, 5),
            record_picture()
        ))
        .advice(
            "hand out every index exactly once: `next.fetch_add(1, Ordering::Relaxed)` \
                   gives each worker a different one; a separate load then store can give two \
                   workers the same file.",
        )
        .fail();
    }
    let never: Vec<String> = (0..n)
        .filter(|&i| report.calls[i] == 0)
        .map(label)
        .collect();
    if never.is_empty() {
        return;
    }
    let stopped_after = setup
        .failing
        .filter(|&f| report.calls[f] > 0 && (0..n).all(|i| report.calls[i] > 0 || i > f));
    if let Some(f) = stopped_after {
        Diagnosis::new(format!(
            "after {} failed, {} of the {n} files {} never read ({}): the pool stopped \
             reading after the error.{}",
            label(f),
            never.len(),
            was(never.len()),
            preview(&never, 5),
            record_picture()
        ))
        .advice(
            "an error is a result like any other: store it in its file's slot and let \
                   the worker go on with the next file.",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "{} of the {n} files {} never read: {}.{}",
        never.len(),
        was(never.len()),
        preview(&never, 5),
        record_picture()
    ))
    .advice(
        "every path must be read once: keep each worker taking the next file until \
               none is left.",
    )
    .fail();
}

/// One result per file, each in its file's slot.
#[track_caller]
fn judge_results(
    what: &str,
    labels: &[String],
    wants: &[Want],
    got: &[io::Result<String>],
    finished: Option<&[usize]>,
    record_picture: &dyn Fn() -> String,
) {
    let n = wants.len();
    if got.len() != n {
        Diagnosis::new(format!(
            "{what} returned {} for {}.",
            count(got.len(), "result"),
            count(n, "file")
        ))
        .advice("return exactly one result per path, in the order of `paths`.")
        .fail();
    }
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
        let cause = if finished.is_some_and(|f| slot_of.iter().flatten().eq(f.iter())) {
            "The results were kept in the order the reads finished, not each in its own \
             file's slot."
        } else {
            "The results were not put each into its own file's slot."
        };
        Diagnosis::new(format!(
            "{what} returned the right results in the wrong order: {} instead of the input \
             order {}.{finish_note} {cause}{}",
            preview(&order, 6),
            preview(labels, 6),
            record_picture()
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "remember each file's index with its result (`(i, result)` pairs, or a slot \
                   per file) and put every result into slot i.",
        )
        .fail();
    }
    // An error expected and not given back as it was: it was hidden or
    // replaced (a lossy conversion, a default, another error).
    let wrong_content = Diagnosis::new(format!(
        "{what}: the result for {} (slot {first}) is {}, expected {}.{}",
        labels[first],
        show(&got[first]),
        wants[first].describe(),
        if wrong.len() > 1 {
            format!(" ({} of the {n} slots are wrong.)", wrong.len())
        } else {
            String::new()
        }
    ));
    let wrong_content = if matches!(wants[first], Want::Error(..)) {
        wrong_content.cause(Cause::ErrorSwallowed)
    } else {
        wrong_content
    };
    wrong_content
        .advice(
            if matches!(wants[first], Want::Error(..)) && got[first].is_ok() {
                "keep the error as the reader gave it (`std::fs::read_to_string` in `read_all`): \
             a lossy conversion or a default value turns a failed read into text."
            } else {
                "return the reader's own result for each path, in its slot: `Ok(text)` or the \
             error it gave."
            },
        )
        .fail();
}

/// At most `workers` threads, at most `workers` reads at once, and all of
/// them busy while files are waiting.
#[track_caller]
fn judge_pool(setup: Setup, report: &Report, record_picture: &dyn Fn() -> String) {
    let (n, w) = (setup.files, setup.workers);
    let target = w.min(n);
    // The picture's peak, so that the sentence and the picture agree.
    let peak = seen_timeline(setup, report).peak();
    if report.threads > w {
        // Every file on a thread of its own proves a thread per file; fewer
        // threads than files, but more than workers, prove only "too many".
        let (how, cause) = if report.threads >= n {
            (
                "every file was read on a thread of its own, and a new thread for every file \
                 (or for every batch of files) is not a pool",
                Some(Cause::ResourcePerCall),
            )
        } else {
            ("more threads than workers did the reading", None)
        };
        let diagnosis = Diagnosis::new(format!(
            "{} different threads read the {n} files (up to {peak} at the same time), but with \
             workers = {w} at most {} may do the reading: {how}.{}",
            report.threads,
            count(w, "thread"),
            record_picture()
        ));
        match cause {
            Some(cause) => diagnosis.cause(cause),
            None => diagnosis,
        }
        .advice(
            "start `min(workers, paths.len())` threads once, and let each one loop: take \
                   the next file, read it, keep the result, until no file is left.",
        )
        .fail();
    }
    if peak > w {
        Diagnosis::new(format!(
            "up to {peak} reads ran at the same time, but workers = {w}.{}",
            record_picture()
        ))
        .cause(Cause::Unbounded)
        .advice("run the reads only on the `workers` threads of the pool.")
        .fail();
    }
    if peak < target {
        if peak == 1 && report.threads <= 1 && report.caller_read {
            Diagnosis::new(format!(
                "the {n} files were read one after another, all on the thread that called \
                 `read_all_with`, though workers = {w} allows {target} reads at once (the \
                 grader waited {} for a second read to start): a plain loop, not a pool.{}",
                fmt_duration(PATIENCE),
                record_picture()
            ))
            .cause(Cause::Sequential)
            .advice(
                "start `min(workers, paths.len())` threads in a `std::thread::scope`, \
                       and let each one take the next file until none is left.",
            )
            .fail();
        }
        if peak == 1 && report.threads <= 1 {
            Diagnosis::new(format!(
                "one thread of yours read all {n} files, one after another, though workers = \
                 {w} allows {target} reads at once (the grader waited {} for a second read to \
                 start). Likely causes: the workers share a lock held during each read: \
                 `while let Ok(job) = rx.lock().unwrap().recv() {{ .. }}` keeps the receiver \
                 locked for the whole loop body, so the worker that has it takes file after \
                 file; or each worker was joined right after it was spawned, so the first one \
                 read every file before the next one started; or only one worker was \
                 started.{}",
                fmt_duration(PATIENCE),
                record_picture()
            ))
            .candidates([
                Cause::LockHeldWhileWaiting,
                Cause::Sequential,
                Cause::UnderUsed,
            ])
            .advice(
                "hold a lock only to take the next file: `let job = \
                       rx.lock().unwrap().recv();` on a line of its own releases the lock at the \
                       end of that statement. And start `min(workers, paths.len())` workers.",
            )
            .fail();
        }
        if peak == 1 {
            let joined = "each thread was joined right after it was spawned";
            let locked = "a lock was held during each read: `while let Ok(job) = \
                rx.lock().unwrap().recv() { .. }` keeps the receiver locked for the whole loop \
                body";
            // One thread per file points to spawn-and-join; fewer, to a lock.
            let (first, second, order) = if report.threads >= n {
                (
                    joined,
                    locked,
                    [Cause::Sequential, Cause::LockHeldWhileWaiting],
                )
            } else {
                (
                    locked,
                    joined,
                    [Cause::LockHeldWhileWaiting, Cause::Sequential],
                )
            };
            Diagnosis::new(format!(
                "the {n} files were read one after another: {} threads took part, but never \
                 two reads ran at the same time, though workers = {w} allows {target} at once \
                 (the grader waited {} for a second read to start). Likely causes: {first}; \
                 or {second}.{}",
                report.threads,
                fmt_duration(PATIENCE),
                record_picture()
            ))
            .candidates(order)
            .advice(
                "spawn every worker before joining any, and hold a lock only to take the \
                       next file: `let job = rx.lock().unwrap().recv();` on a line of its own \
                       releases the lock at the end of that statement.",
            )
            .fail();
        }
        Diagnosis::new(format!(
            "at most {peak} files were read at once, though workers = {w} and {n} files allow \
             {target} at the same time (the grader waited {} for more).{}",
            fmt_duration(PATIENCE),
            record_picture()
        ))
        .candidates([Cause::UnderUsed, Cause::LockHeldWhileWaiting])
        .advice(
            "start `min(workers, paths.len())` worker threads, and keep each one busy \
                   while files are left.",
        )
        .fail();
    }
    if let Some(stall) = report.stall {
        Diagnosis::new(format!(
            "at one point only {} {} running while {} {} still waiting, though {target} \
             may run at once (the grader waited {}): some workers sat idle with work left.{}",
            count(stall.reading, "read"),
            was(stall.reading),
            count(stall.waiting, "file"),
            was(stall.waiting),
            fmt_duration(PATIENCE),
            record_picture()
        ))
        .candidates([Cause::Batches, Cause::UnderUsed])
        .advice(TAKE_THE_NEXT_FILE)
        .fail();
    }
    if let Some(held) = report.held_up {
        Diagnosis::new(format!(
            "{} was slow (the grader held it until every other file was read), and {} \
             waited behind it without ever starting, while only {} of the {w} workers kept \
             reading (the grader waited {}): those files were queued behind the slow one.{}",
            label(0),
            count(held.waiting, "file"),
            held.reading,
            fmt_duration(PATIENCE),
            record_picture()
        ))
        .cause(Cause::Batches)
        .advice(TAKE_THE_NEXT_FILE)
        .fail();
    }
}

const TAKE_THE_NEXT_FILE: &str = "hand out one file at a time: a free worker takes the next \
    file (a shared `AtomicUsize` index, a `Mutex`ed queue or a channel). Splitting the list \
    into fixed chunks up front, or rayon's parallel iterators without `.with_max_len(1)`, \
    queue files behind a slow one while other workers idle.";

/// The three checks every probe test makes.
#[track_caller]
pub fn judge_probe(setup: Setup) {
    let (got, report) = run_probe(setup);
    let record_picture = || record_pool_picture(setup, &report);
    judge_calls(setup, &report, &record_picture);
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
        &record_picture,
    );
    judge_pool(setup, &report, &record_picture);
}

#[track_caller]
pub fn judge_real(files: &[(&str, Content)], pool: usize) {
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
    // Real files: the grader sees only the results, so no picture.
    judge_results(&what, &labels, &wants, &got, None, &String::new);
}

/// What the pool did (one lane per thread that read, in the order they
/// started, and at least one per worker the pool should run) above what a
/// correct pool does with the same files: `min(workers, files)` threads, a
/// free one taking the next file. The probe's reads have no length of their
/// own, so the correct pool's are drawn all alike, over the time yours took.
fn record_pool_picture(setup: Setup, report: &Report) -> String {
    let seen = seen_timeline(setup, report);
    let lanes = correct_pool(setup);
    let steps = lanes.iter().flatten().map(|&(_, b)| b).max().unwrap_or(1);
    let unit = (seen.end().max(ms(1)) / steps.max(1) as u32).max(Duration::from_micros(1));
    let correct = Timeline::new("what a correct pool does (reads drawn alike)", Clock::Real)
        .numbered(
            "worker",
            0,
            lanes.iter().map(|spans| {
                spans
                    .iter()
                    .map(|&(a, b)| (unit * a as u32, unit * b as u32))
                    .collect::<Vec<_>>()
            }),
        );
    grading::record_picture(&seen, &correct)
}

/// What the pool did: one lane per thread that read, in the order they
/// started, and at least one per worker the pool should run. Each read is
/// drawn from the moment the student's code called `read` to the moment the
/// probe saw it end (every read drawn has ended: a read that never ends
/// stops the test at the watchdog, with no picture).
fn seen_timeline(setup: Setup, report: &Report) -> Timeline {
    let mut by_start = report.reads.clone();
    by_start.sort_by_key(|r| r.start);
    Timeline::new("what your pool did", Clock::Real).numbered_by(
        "worker",
        setup.workers.min(setup.files),
        by_start.iter().map(|r| (r.thread, r.start, r.end)),
    )
}

/// A correct pool on the probe's files, in steps of one read: each worker
/// takes the next file as soon as it is free. `Finish` sets the lengths:
/// last file first (all at once), or the first file held until every other
/// one is read.
fn correct_pool(setup: Setup) -> Vec<Vec<(usize, usize)>> {
    let (n, target) = (setup.files, setup.workers.min(setup.files));
    let mut lanes = vec![Vec::new(); target];
    match setup.finish {
        Finish::Reversed => {
            for (i, lane) in lanes.iter_mut().enumerate() {
                lane.push((0, n - i));
            }
        }
        Finish::Freely | Finish::SlowFirst => {
            let slow = setup.finish == Finish::SlowFirst && target > 1;
            let mut free = vec![0usize; target];
            for _ in usize::from(slow)..n {
                let k = (usize::from(slow)..target)
                    .min_by_key(|&k| (free[k], k))
                    .expect("at least one worker");
                lanes[k].push((free[k], free[k] + 1));
                free[k] += 1;
            }
            if slow {
                let end = free.iter().copied().max().unwrap_or(1).max(1);
                lanes[0].push((0, end));
            }
        }
    }
    lanes
}
