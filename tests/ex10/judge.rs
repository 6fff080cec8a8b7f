//! The judges: what a run should have looked like, and what to say when it
//! did not. The grader simulates the schedules the usual mistakes produce
//! (batches, `buffered`), so it can name the mistake from the start times it
//! observed.

use std::time::Duration;

use grading::{
    count, fmt_duration, in_input_order, ms, payload_text, preview, reached_todo,
    record_student_panic, was, Cause, Clock, Diagnosis, OrFail, Timeline,
};

use crate::probe::{output, to_ms, PanicRun, Report, Run, Stuck, PLANNED_PANIC};

/// Slack for tokio's 1 ms timer resolution, in milliseconds.
pub const SLACK_MS: u64 = 10;

pub fn fmt_ms(n: u64) -> String {
    fmt_duration(ms(n))
}

fn close(a: u64, b: u64) -> bool {
    a.abs_diff(b) <= SLACK_MS
}

/// "1 permit was", "2 permits were".
fn count_was(n: usize, noun: &str) -> String {
    format!("{} {}", count(n, noun), was(n))
}

/// "10 jobs of 1.0 s" or "jobs of 5.0 s, 1.0 s, 1.0 s and 1.0 s".
fn describe(durations: &[Duration]) -> String {
    match durations {
        [] => "no jobs".to_string(),
        [d] => format!("1 job of {}", fmt_duration(*d)),
        _ if durations.windows(2).all(|w| w[0] == w[1]) => {
            format!("{} jobs of {}", durations.len(), fmt_duration(durations[0]))
        }
        _ => {
            let parts: Vec<String> = durations.iter().map(|&d| fmt_duration(d)).collect();
            let (last, rest) = parts.split_last().expect("at least two durations");
            format!("jobs of {} and {last}", rest.join(", "))
        }
    }
}

/// `run_bounded(jobs of 5.0 s and 1.0 s, limit 2)`, for the messages.
pub fn window_call(durations: &[Duration], k: usize) -> String {
    format!("run_bounded({}, limit {k})", describe(durations))
}

/// `spawn_bounded(3 jobs of 1.0 s, a limiter of 2 permits)`, for the messages.
pub fn spawn_call(durations: &[Duration], permits: usize) -> String {
    format!(
        "spawn_bounded({}, a limiter of {})",
        describe(durations),
        count(permits, "permit")
    )
}

// ---------------------------------------------------------------------------
// Schedules: when each job starts, for the right answer and for the usual
// mistakes. All in milliseconds, jobs started in input order.

/// A sliding window: job j starts as soon as fewer than `k` of the jobs before
/// it are still running.
fn sliding_starts(d: &[u64], k: usize) -> Vec<u64> {
    let mut starts: Vec<u64> = Vec::with_capacity(d.len());
    let mut finishes: Vec<u64> = Vec::with_capacity(d.len());
    for j in 0..d.len() {
        let start = if j < k {
            0
        } else {
            // The k-th latest finish among the jobs before j frees a slot.
            let mut earlier = finishes.clone();
            earlier.sort_unstable_by(|a, b| b.cmp(a));
            earlier[k - 1].max(starts[j - 1])
        };
        starts.push(start);
        finishes.push(start + d[j]);
    }
    starts
}

/// Batches of `k`: each group starts when the whole previous group is done.
fn batch_starts(d: &[u64], k: usize) -> Vec<u64> {
    let mut starts = Vec::with_capacity(d.len());
    let mut group_start = 0;
    for chunk in d.chunks(k) {
        starts.extend(std::iter::repeat_n(group_start, chunk.len()));
        group_start += chunk.iter().max().copied().unwrap_or(0);
    }
    starts
}

/// `buffered(k)`: outputs leave the window in input order, so job j starts
/// only when job j - k has been *yielded*, i.e. when it and every job before
/// it are done.
fn buffered_starts(d: &[u64], k: usize) -> Vec<u64> {
    let mut starts: Vec<u64> = Vec::with_capacity(d.len());
    let mut yielded: Vec<u64> = Vec::with_capacity(d.len());
    for j in 0..d.len() {
        let start = if j < k { 0 } else { yielded[j - k] };
        let finish = start + d[j];
        let previous = yielded.last().copied().unwrap_or(0);
        starts.push(start);
        yielded.push(finish.max(previous));
    }
    starts
}

fn makespan(d: &[u64], starts: &[u64]) -> u64 {
    starts.iter().zip(d).map(|(s, d)| s + d).max().unwrap_or(0)
}

fn same_schedule(a: &[u64], b: &[u64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| close(x, y))
}

// ---------------------------------------------------------------------------
// Pictures: the jobs as the probe saw them, above the sliding window.

/// One lane per job, `job 0` to `job n-1`, for a schedule of start times.
fn job_lanes(title: &str, spans: impl Iterator<Item = Option<(u64, u64)>>) -> Timeline {
    spans
        .enumerate()
        .fold(Timeline::new(title, Clock::Virtual), |t, (i, span)| {
            let spans: Vec<_> = span.map(|(a, b)| (ms(a), ms(b))).into_iter().collect();
            t.lane(&format!("job {i}"), &spans)
        })
}

/// The jobs as the probe saw them: a job not seen to finish is drawn as
/// unknown from its start until `until` (when the grader stopped looking).
fn seen_lanes(report: &Report, until: u64) -> Timeline {
    (0..report.calls.len()).fold(
        Timeline::new("what your code did", Clock::Virtual),
        |t, i| {
            let spans: Vec<_> = report.starts[i]
                .map(|s| (ms(s), report.finishes[i].map(ms)))
                .into_iter()
                .collect();
            t.lane_partly_seen(&format!("job {i}"), &spans, ms(until))
        },
    )
}

/// The sliding window's schedule for the report's jobs and limit.
fn correct_schedule(report: &Report) -> Timeline {
    let d = &report.durations;
    let starts = sliding_starts(d, report.limit.max(1));
    job_lanes(
        "what a correct solution does",
        starts.iter().zip(d).map(|(&s, &d)| Some((s, s + d))),
    )
}

/// The picture under a failure about how the jobs ran: each job from its
/// start to its end (a job not seen to end is unknown from its start to
/// `report.ended`), above a correct solution's schedule. `mark` names a
/// moment, such as when a stuck call was stopped.
pub fn record_picture(report: &Report, mark: Option<(&str, u64)>) -> String {
    let mut seen = seen_lanes(report, report.ended);
    if let Some((label, at)) = mark {
        seen = seen.mark(label, ms(at));
    }
    grading::record_picture(&seen, &correct_schedule(report))
}

/// The picture for the tasks the jobs ran in: one lane per tokio task (in the
/// order they first ran a job, `task 1`, `task 2`, ...; as many lanes as jobs,
/// so unused ones show empty), and `no task` for jobs polled outside any
/// task; above a correct solution's, where every job has a task of its own.
pub fn record_task_picture(report: &Report) -> String {
    let n = report.calls.len();
    let mut ids = Vec::new();
    let mut lanes: Vec<Vec<(Duration, Option<Duration>)>> = vec![Vec::new(); n];
    let mut outside = Vec::new();
    for i in 0..n {
        let (Some(s), f) = (report.starts[i], report.finishes[i]) else {
            continue;
        };
        // A job not seen to finish is unknown from its start.
        let span = (ms(s), f.map(ms));
        match report.tasks[i] {
            None => outside.push(span),
            Some(id) => {
                let k = ids.iter().position(|&x| x == id).unwrap_or_else(|| {
                    ids.push(id);
                    ids.len() - 1
                });
                lanes[k].push(span);
            }
        }
    }
    let mut seen = Timeline::new("what your code did", Clock::Virtual);
    if !outside.is_empty() {
        seen = seen.lane_partly_seen("no task", &outside, ms(report.ended));
    }
    for (k, spans) in lanes.iter().enumerate() {
        seen = seen.lane_partly_seen(&format!("task {}", k + 1), spans, ms(report.ended));
    }
    let mut correct = Timeline::new("what a correct solution does", Clock::Virtual);
    let d = &report.durations;
    for (k, (&s, &d)) in sliding_starts(d, report.limit.max(1))
        .iter()
        .zip(d)
        .enumerate()
    {
        correct = correct.lane(&format!("task {}", k + 1), &[(ms(s), ms(s + d))]);
    }
    grading::record_picture(&seen, &correct)
}

/// The call's total time against a correct solution's, one lane each.
pub fn record_total_picture(took: u64, ideal: u64) -> String {
    let lane = |title: &str, t: u64| {
        Timeline::new(title, Clock::Virtual).lane("total", &[(Duration::ZERO, ms(t))])
    };
    grading::record_picture(
        &lane("what your code did", took),
        &lane("what a correct solution does", ideal),
    )
}

/// A moment when a slot was free while a job still waited to start.
struct Idle {
    at: u64,
    running: usize,
    job: usize,
    started: u64,
}

/// The first moment a slot sat free (fewer than `k` jobs running) while a
/// job that had not started yet waited for more than the timer slack.
fn first_idle(starts: &[u64], finishes: &[u64], k: usize) -> Option<Idle> {
    let mut moments: Vec<u64> = starts.iter().chain(finishes).copied().collect();
    moments.sort_unstable();
    moments.dedup();
    for &t in &moments {
        let running = (0..starts.len())
            .filter(|&j| starts[j] <= t && finishes[j] > t)
            .count();
        if running >= k {
            continue;
        }
        // The job that waited the longest after t: the next one to start.
        let waiting = (0..starts.len())
            .filter(|&j| starts[j] > t + SLACK_MS)
            .min_by_key(|&j| (starts[j], j));
        if let Some(job) = waiting {
            return Some(Idle {
                at: t,
                running,
                job,
                started: starts[job],
            });
        }
    }
    None
}

// ---------------------------------------------------------------------------
// A call that never returned.

/// The call's outputs, or the diagnosis of a call the monitor had to stop.
#[track_caller]
pub fn returned<T>(what: &str, outcome: Result<T, Stuck>, report: &Report) -> T {
    match outcome {
        Ok(value) => value,
        Err(stuck) => explain_stuck(what, &stuck, report),
    }
}

/// Why a call never returned: every task waiting (an idle runtime), or a task
/// polling in a loop (a busy one). The monitor saw which.
#[track_caller]
fn explain_stuck(what: &str, stuck: &Stuck, report: &Report) -> ! {
    // The checker shows a stopped call as a hang, not as a failure.
    grading::record_hang(stuck.window);
    let n = report.calls.len();
    let finished = report.finishes.iter().flatten().count();
    let running = (0..n)
        .filter(|&i| report.starts[i].is_some() && report.finishes[i].is_none())
        .count();
    let jobs = if n == 0 {
        "with no jobs to run".to_string()
    } else {
        format!(
            "{finished} of the {} had finished and {running} {} running",
            count(n, "job"),
            was(running)
        )
    };
    // With no jobs, or on a clock that never moved, there is nothing to draw.
    let pic = if n == 0 || to_ms(stuck.at) == 0 {
        String::new()
    } else {
        record_picture(report, Some(("stopped", to_ms(stuck.at))))
    };
    let busy = format!(
        "{:.0} % of {}",
        stuck.busy * 100.0,
        fmt_duration(stuck.window)
    );
    if stuck.blocked() {
        Diagnosis::new(format!(
            "{what} never returned: at {} of tokio's clock ({jobs}), no job started or \
             finished any more, and when the grader asked the runtime to stop, it took {} of \
             real time to notice: its thread was blocked inside your code, not waiting for a \
             permit or a timer. Something holds the thread: `std::thread::sleep`, a loop \
             without an `.await`, `futures::executor::block_on`, or a blocking lock.{pic}",
            fmt_ms(to_ms(stuck.at)),
            fmt_duration(stuck.answered_after)
        ))
        .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
        .advice(
            "let tokio do the waiting: `tokio::time::sleep(...).await`, \
             `limiter.acquire_owned().await`, never block the thread.",
        )
        .fail();
    }
    if stuck.spinning() {
        Diagnosis::new(format!(
            "{what} never returned: at {} of tokio's clock ({jobs}), no job started or \
             finished any more, and tokio's paused clock stood still, yet the runtime kept \
             running code (busy {busy} of real time). A task was polling in a loop instead \
             of waiting: e.g. `try_acquire` (or a check of a counter) until it succeeds, with \
             `yield_now().await` in between. A loop that yields keeps the runtime busy, so the \
             paused clock never moves on, the running jobs never end, and no slot ever comes \
             free (on a real clock, the loop would burn a whole core while it waits).{pic}",
            fmt_ms(to_ms(stuck.at))
        ))
        .cause(Cause::BusyLoop)
        .advice(
            "wait with `.await` on something that wakes you when a slot is free: \
             `Arc::clone(&limiter).acquire_owned().await` sleeps until a permit is given \
             back; `buffer_unordered(limit)` needs no permits at all.",
        )
        .fail();
    }
    let idle = format!(
        "{what} never returned: at {} of tokio's clock ({jobs}), every task was waiting for \
         something that never happens: the runtime was idle ({busy} of real time busy) and \
         tokio's paused clock had no timer left to jump to.",
        fmt_ms(to_ms(stuck.at))
    );
    if n == 0 {
        Diagnosis::new(format!(
            "{idle} With no inputs there is nothing to wait for: a window of \
 `limit.min(inputs.len())` is `buffer_unordered(0)`, which never takes a job and \
 never ends; or a future that nobody polls, or that is never woken."
        ))
        .advice(
            "return an empty Vec for no inputs: `buffer_unordered(limit)` with the \
 `limit` you were given (at least 1) ends at once on an empty stream.",
        )
        .fail();
    }
    if let Some((permits, free)) = stuck.permits {
        let taken = permits - free;
        if taken > running {
            Diagnosis::new(format!(
                "{idle} Yet {} of the limiter's {permits} permits {} taken while {}: {} held \
                 by no job. They were kept (in a Vec \"to keep them alive\", by the caller) \
                 or `forget()`-ed, and never given back, so the next `acquire` waits \
                 forever.{pic}",
                taken,
                was(taken),
                if running == 0 {
                    "no job was running".to_string()
                } else {
                    format!("only {} running", count_was(running, "job"))
                },
                count_was(taken - running, "permit")
            ))
            .cause(Cause::ResourceLeaked)
            .advice(
                "move each permit into the task of its job \
                 (`Arc::clone(&limiter).acquire_owned()`), so that it is dropped, and its slot \
                 freed, the moment the job ends.",
            )
            .fail();
        }
    }
    Diagnosis::new(format!(
        "{idle} Usually a permit that is never given back, so once all are taken the next \
         `acquire` waits forever; or a future or task that nobody polls, or that is never \
         woken.{pic}"
    ))
    .candidates([Cause::ResourceLeaked, Cause::NeverJoined])
    .advice(
        "hold each permit only while its job runs (move it into the job's task, and let \
         it drop there); `buffer_unordered(limit)` needs no permits at all.",
    )
    .fail();
}

// ---------------------------------------------------------------------------
// The jobs, the outputs and the schedule.

/// Every job called once, started and finished; the starts and finishes.
#[track_caller]
pub fn judge_jobs(what: &str, report: &Report) -> (Vec<u64>, Vec<u64>) {
    let n = report.calls.len();
    if let Some(i) = (0..n).find(|&i| report.calls[i] > 1) {
        Diagnosis::new(format!(
            "{what} called `job` {} times for input {i}.",
            report.calls[i]
        ))
        .advice("call `job(input)` exactly once for every input.")
        .fail();
    }
    let unfinished: Vec<usize> = (0..n)
        .filter(|&i| report.starts[i].is_none() || report.finishes[i].is_none())
        .collect();
    if !unfinished.is_empty() {
        let never: Vec<String> = unfinished.iter().map(|i| format!("job {i}")).collect();
        let d = Diagnosis::new(format!(
            "{what} returned, but {} never ran to the end: {}.",
            if never.len() == 1 {
                "one job"
            } else {
                "some jobs"
            },
            preview(&never, 6)
        ))
        .advice("await every job's future to completion before returning.");
        // Started and left running when the call returned: proven. A job that
        // never started may just as well have been skipped.
        if unfinished.iter().all(|&i| report.starts[i].is_some()) {
            d.cause(Cause::NeverJoined).fail();
        }
        d.fail();
    }
    let starts = report.starts.iter().map(|s| s.unwrap_or(0)).collect();
    let finishes = report.finishes.iter().map(|f| f.unwrap_or(0)).collect();
    (starts, finishes)
}

/// One output per input, each in its input's slot.
#[track_caller]
pub fn judge_outputs(what: &str, got: &[String], finishes: &[u64]) {
    let n = finishes.len();
    let want: Vec<String> = (0..n).map(output).collect();
    if got.len() != n {
        Diagnosis::new(format!(
            "{what} returned {} for {}.",
            count(got.len(), "output"),
            count(n, "input")
        ))
        .advice("return exactly one output per input, in the order of `inputs`.")
        .fail();
    }
    let Err(d) = in_input_order(got, &want) else {
        return;
    };
    // The right outputs in the order the jobs finished: named as such.
    let index = |o: &String| o.trim_start_matches("output-").parse::<usize>().ok();
    let finish = |o: &String| index(o).map_or(0, |i| finishes[i]);
    let right_outputs = d.asserted_cause() == Some(Cause::WrongOrder);
    if right_outputs && got.windows(2).all(|w| finish(&w[0]) <= finish(&w[1])) {
        Diagnosis::new(format!(
            "{what} returned the outputs in the order the jobs finished: {} instead of the \
             input order {}.",
            preview(got, 6),
            preview(&want, 6)
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "outputs arrive as the jobs finish (`buffer_unordered`, \
             `JoinSet::join_next`): carry each input's index along (`.enumerate()`) and \
             put every output into its slot, `slots[i] = Some(output)`.",
        )
        .fail();
    }
    d.fail();
}

/// The call's outputs and jobs, then the limit, the sliding window and the
/// total time.
#[track_caller]
pub fn judge_run(what: &str, durations: &[Duration], k: usize, run: Run) {
    let got = returned(what, run.outcome, &run.report);
    judge_returned(what, durations, k, &got, &run.report, run.took);
}

/// [`judge_run`] for a call that returned `got`.
#[track_caller]
pub fn judge_returned(
    what: &str,
    durations: &[Duration],
    k: usize,
    got: &[String],
    report: &Report,
    took: u64,
) {
    let (starts, finishes) = judge_jobs(what, report);
    judge_outputs(what, got, &finishes);
    judge_schedule(what, durations, k, report, took, &starts, &finishes);
}

/// The limit, the sliding window and the total time.
#[track_caller]
pub fn judge_schedule(
    what: &str,
    durations: &[Duration],
    k: usize,
    report: &Report,
    took: u64,
    starts: &[u64],
    finishes: &[u64],
) {
    let n = durations.len();
    let d: Vec<u64> = durations.iter().map(|&x| to_ms(x)).collect();
    let target = k.min(n);
    let peak = report.peak;
    let ideal_starts = sliding_starts(&d, k);
    let ideal = makespan(&d, &ideal_starts);

    if let Some(u) = report.unpermitted {
        Diagnosis::new(format!(
            "{what}: job {} started while {} running but only {} of the limiter's permits \
             {} taken, so at least one running job held no permit of `limiter`. Either a \
             permit was dropped before its job ended (`let _ = limiter.acquire().await` \
             drops it at once: `_` does not bind; a `_permit` bound in the loop that spawns \
             the jobs is dropped when that turn of the loop ends, while its job runs on), or \
             the jobs were limited by something other than the limiter you were given (a `Semaphore` of your own, a `buffer_unordered` \
             window), which the other users of the same limiter cannot see.{}",
            u.job,
            count(u.running, "job"),
            u.taken,
            was(u.taken),
            record_picture(report, None)
        ))
        .cause(Cause::Unbounded)
        .advice(
            "take a permit of `limiter` for each job and keep it until that job ends: \
             `let permit = Arc::clone(&limiter).acquire_owned().await...` and move \
             `permit` into the job's task (or bind it, `let _permit = ...`, inside the \
             task).",
        )
        .fail();
    }
    if peak > k {
        if peak == n {
            Diagnosis::new(format!(
                "{what}: all {n} jobs ran at once, though the limit is {k}: nothing held them \
                 back. (If you used a Semaphore: `let _ = sem.acquire().await` drops the permit \
                 at the end of that very line, because `_` does not bind, so the job runs \
                 without one.){}",
                record_picture(report, None)
            ))
            .cause(Cause::Unbounded)
            .advice(
                "let at most `limit` jobs run: `buffer_unordered(limit)` on a stream of \
                 the jobs, or a permit per job that lives until the job is done \
                 (`let _permit = ...`, with a name).",
            )
            .fail();
        }
        report.track.at_most(k, &correct_schedule(report)).or_fail();
    }
    if peak < target && peak == 1 {
        Diagnosis::new(format!(
            "{what} ran the jobs one after another: never more than 1 at a time, though the \
             limit allows {target} at once. It took {} instead of {}.{}",
            fmt_ms(took),
            fmt_ms(ideal),
            record_picture(report, None)
        ))
        .cause(Cause::Sequential)
        .advice(
            "don't await each job inside the loop: give the jobs to \
             `buffer_unordered(limit)` (or spawn them, each holding a permit) so that up \
             to `limit` of them are in flight together.",
        )
        .fail();
    }
    if took > ideal + SLACK_MS {
        judge_too_slow(what, report, (starts, finishes), took, ideal);
    }
    if peak < target {
        Diagnosis::new(format!(
            "{what}: at most {peak} jobs ran at once, though the limit allows {target}.{}",
            record_picture(report, None)
        ))
        .cause(Cause::UnderUsed)
        .advice("keep `limit` jobs in flight while jobs are waiting.")
        .fail();
    }
    if !close(took, ideal) {
        Diagnosis::new(format!(
            "{what} took {} of (virtual) time, expected {}.{}",
            fmt_ms(took),
            fmt_ms(ideal),
            record_picture(report, None)
        ))
        .advice("return as soon as the last job is done.")
        .fail();
    }
}

/// The call took longer than the sliding window would: name the schedule.
#[track_caller]
fn judge_too_slow(
    what: &str,
    report: &Report,
    (starts, finishes): (&[u64], &[u64]),
    took: u64,
    ideal: u64,
) {
    let (d, k) = (&report.durations[..], report.limit);
    let ideal_starts = sliding_starts(d, k);
    let batches = batch_starts(d, k);
    let buffered = buffered_starts(d, k);
    let stalled = first_idle(starts, finishes, k).map_or_else(String::new, |idle| {
        format!(
            " At {} only {} of the {k} slots {} busy, yet job {} waited until {} to start.",
            fmt_ms(idle.at),
            idle.running,
            was(idle.running),
            idle.job,
            fmt_ms(idle.started)
        )
    });
    if same_schedule(starts, &buffered) && !same_schedule(&buffered, &ideal_starts) {
        let also = if same_schedule(&buffered, &batches) {
            " (Batches of `limit` jobs do the same here.)"
        } else {
            ""
        };
        Diagnosis::new(format!(
            "{what} took {} instead of {}: a finished job kept its place in the window until \
             the slow job before it was done.{stalled} That is what `buffered(k)` does: it \
             yields outputs in input order, and an output that waits for its turn still counts \
             towards k, so one slow job at the front stalls the window.{also}{}",
            fmt_ms(took),
            fmt_ms(ideal),
            record_picture(report, None)
        ))
        .cause(Cause::Batches)
        .advice(
            "use `buffer_unordered(limit)`, which frees a slot the moment a job finishes; \
             carry each input's index along and put every output into its slot to get \
             the input order back.",
        )
        .fail();
    }
    if same_schedule(starts, &batches) {
        Diagnosis::new(format!(
            "{what} took {} instead of {}: the jobs ran in batches: you waited for the whole \
             group before starting the next.{stalled}{}",
            fmt_ms(took),
            fmt_ms(ideal),
            record_picture(report, None)
        ))
        .cause(Cause::Batches)
        .advice(
            "a sliding window, not batches: start the next job as soon as *any* job \
             finishes. `buffer_unordered(limit)` does exactly that (so does a Semaphore \
             with a permit per job); `chunks(limit)` + `join_all` does not.",
        )
        .fail();
    }
    let d = Diagnosis::new(format!(
        "{what} took {} instead of {}.{stalled}{}",
        fmt_ms(took),
        fmt_ms(ideal),
        record_picture(report, None)
    ))
    .advice(
        "start the next job the moment one finishes, so that `limit` jobs are in flight while \
         any job is waiting: `buffer_unordered(limit)`, or one permit per job.",
    );
    // A slot seen idle while a job waited proves the limit was not used.
    if stalled.is_empty() {
        d.fail();
    }
    d.cause(Cause::UnderUsed).fail();
}

/// Every permit the call took is free again once it returned.
#[track_caller]
pub fn judge_permits(what: &str, permits: usize, free: usize) {
    if free < permits {
        Diagnosis::new(format!(
            "after {what} returned, only {free} of the limiter's {permits} permits were free: \
             {} never given back. The limiter is shared: every permit you keep is a slot that \
             no other caller can ever use again.",
            count_was(permits - free, "permit")
        ))
        .cause(Cause::ResourceLeaked)
        .advice(
            "let each permit be dropped when its job ends (move it into the job's task); \
             never `forget()` one, and don't keep permits after the jobs are done.",
        )
        .fail();
    }
    if free != permits {
        Diagnosis::new(format!(
            "after {what} returned, the limiter had {free} free permits, but it had {permits} \
 before: you added permits to a limiter that is not yours."
        ))
        .advice("take permits with `acquire_owned` and let them drop; don't `add_permits`.")
        .fail();
    }
}

/// Job 1's panic reached the caller, unchanged.
#[track_caller]
pub fn judge_panic(what: &str, run: PanicRun) {
    let outcome = returned(what, run.outcome, &run.report);
    let payload = match outcome {
        Err(payload) => payload,
        Ok(got) => Diagnosis::new(format!(
            "{what}: job 1 panicked, yet the call returned normally, with {}: the job's \
             panic was swallowed, and the caller never learns that a job failed.",
            count(got.len(), "output")
        ))
        .cause(Cause::ErrorSwallowed)
        .advice(
            "when a task's `JoinError` says it panicked (`e.is_panic()`), panic in turn \
             with the job's own payload: `std::panic::resume_unwind(e.into_panic())`.",
        )
        .fail(),
    };
    if reached_todo(payload.as_ref()) {
        panic!("\n{}\n", record_student_panic(payload.as_ref()));
    }
    let text = payload_text(payload.as_ref()).to_string();
    if text == PLANNED_PANIC {
        return;
    }
    // The student's code raised a panic of its own: record it as such.
    let _ = record_student_panic(payload.as_ref());
    Diagnosis::new(format!(
"{what}: job 1 panicked with {PLANNED_PANIC:?} (on purpose: the \"your code \
 panicked at tests/ex10/probe.rs\" line above is the grader's job), but the panic that reached the caller of \
 spawn_bounded said {:?}. The job's panic was replaced by another one (an `unwrap`, \
 `expect` or `panic!` on the task's `JoinError`), so the caller sees your message \
 instead of the job's, and cannot tell what went wrong.",
        grading::cut(&text, 200)
)).cause(Cause::ErrorSwallowed).advice(
"pass the job's panic on unchanged: \
 `Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic())`.",
).fail();
}
