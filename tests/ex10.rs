//! Graded suite for exercise 10 (bounded concurrency).
//!
//! Every test hands the student's function its own `job`, the *probe*: each
//! job notes when it starts and ends, how many jobs are in flight (and the
//! peak), in which tokio task it runs, and, for `spawn_bounded`, how many of
//! the limiter's permits are taken while it runs. Then it sleeps for its
//! duration.
//!
//! Everything runs on tokio's paused clock: sleeps cost no real time and
//! virtual time is exact, so "took 7 s instead of 5 s" and "job 2 started at
//! 5 s" are facts. The grader also simulates the schedules that the usual
//! mistakes produce (batches, `buffered`), so it can name the mistake from the
//! start times it observed.

use std::future::Future;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ex10::{run_bounded, spawn_bounded};
use grading::{check, fail, fmt_duration, paused, timed};
use tokio::sync::Semaphore;
use tokio::task::Id as TaskId;
use tokio::time::Instant;

/// Real time any test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds: the paused clock skips every sleep.
const WATCHDOG: Duration = Duration::from_secs(2);
/// Slack for tokio's 1 ms timer resolution, in milliseconds.
const SLACK_MS: u64 = 10;

const RUN_HUNG: &str = "`run_bounded` never returned, and tokio's paused clock had no timer \
    left to jump to: every future was waiting for something that never happens.\n\
    Usually a semaphore permit that is never given back (kept in a Vec, or `forget()`-ed), so \
    once all are taken the next `acquire` waits forever; or a future that nobody polls.\n\
    Try: `futures::stream::iter(...).map(...).buffer_unordered(limit)` needs no permits at all; \
    with a Semaphore, hold each permit only while its job runs.";

const SPAWN_HUNG: &str = "`spawn_bounded` never returned, and tokio's paused clock had no \
    timer left to jump to: everything was waiting for something that never happens.\n\
    Usually the limiter's permits are not given back when a job ends: permits kept by the \
    caller (pushed into a Vec \"to keep them alive\") or `forget()`-ed. Once all of them are \
    taken, the next `acquire` waits forever.\n\
    Try: move each permit into the task of its job (`Arc::clone(&limiter).acquire_owned()`), \
    so that it is dropped, and its slot freed, the moment the job ends.";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn limit(k: usize) -> NonZeroUsize {
    NonZeroUsize::new(k).expect("the suite uses limits of at least 1")
}

/// Rounds a (virtual) duration to whole milliseconds.
fn to_ms(d: Duration) -> u64 {
    u64::try_from((d.as_micros() + 500) / 1000).unwrap_or(u64::MAX)
}

fn fmt_ms(ms: u64) -> String {
    fmt_duration(Duration::from_millis(ms))
}

fn close(a: u64, b: u64) -> bool {
    a.abs_diff(b) <= SLACK_MS
}

/// What a job returns: the tests check that each lands in its input's slot.
fn output(i: usize) -> String {
    format!("output-{i}")
}

/// "10 jobs of 1.0 s" or "jobs of 5.0 s, 1.0 s, 1.0 s and 1.0 s".
fn describe(durations: &[Duration]) -> String {
    if durations.is_empty() {
        return "no jobs".to_string();
    }
    if durations.len() == 1 {
        return format!("1 job of {}", fmt_duration(durations[0]));
    }
    if durations.windows(2).all(|w| w[0] == w[1]) {
        return format!("{} jobs of {}", durations.len(), fmt_duration(durations[0]));
    }
    let parts: Vec<String> = durations.iter().map(|&d| fmt_duration(d)).collect();
    let (last, rest) = parts.split_last().expect("at least two durations");
    format!("jobs of {} and {last}", rest.join(", "))
}

/// At most a handful of items, so a long mismatch stays readable.
fn preview(items: &[String]) -> String {
    const SHOWN: usize = 6;
    if items.len() <= SHOWN {
        return format!("{items:?}");
    }
    format!("{:?}… ({} in all)", &items[..SHOWN], items.len())
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
// The probe: the grader's job.

type JobFuture = Pin<Box<dyn Future<Output = String> + Send>>;

/// A limiter and how many permits it had when the test began.
struct Limiter {
    semaphore: Arc<Semaphore>,
    permits: usize,
}

/// A job that ran while fewer permits were taken than jobs were running.
#[derive(Clone, Copy)]
struct Unpermitted {
    job: usize,
    running: usize,
    taken: usize,
}

#[derive(Default)]
struct State {
    calls: Vec<usize>,
    starts: Vec<Option<Duration>>,
    finishes: Vec<Option<Duration>>,
    in_flight: usize,
    peak: usize,
    tasks: Vec<Option<TaskId>>,
    unpermitted: Option<Unpermitted>,
}

struct Probe {
    origin: Instant,
    durations: Vec<Duration>,
    limiter: Option<Limiter>,
    state: Mutex<State>,
}

/// What the probe saw.
struct Report {
    calls: Vec<usize>,
    starts: Vec<Option<u64>>,
    finishes: Vec<Option<u64>>,
    peak: usize,
    tasks: Vec<Option<TaskId>>,
    unpermitted: Option<Unpermitted>,
}

impl Probe {
    /// Must be called inside the runtime: the origin is on tokio's clock.
    fn new(durations: &[Duration], limiter: Option<&Arc<Semaphore>>) -> Arc<Self> {
        let n = durations.len();
        Arc::new(Probe {
            origin: Instant::now(),
            durations: durations.to_vec(),
            limiter: limiter.map(|s| Limiter {
                semaphore: Arc::clone(s),
                permits: s.available_permits(),
            }),
            state: Mutex::new(State {
                calls: vec![0; n],
                starts: vec![None; n],
                finishes: vec![None; n],
                tasks: vec![None; n],
                ..State::default()
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The `job` handed to the student's function.
    fn job(self: &Arc<Self>) -> impl Fn(usize) -> JobFuture + Send + Sync + 'static {
        let probe = Arc::clone(self);
        move |i| {
            probe.lock().calls[i] += 1;
            let probe = Arc::clone(&probe);
            Box::pin(async move {
                probe.begin(i);
                tokio::time::sleep(probe.durations[i]).await;
                probe.end(i);
                output(i)
            })
        }
    }

    fn begin(&self, i: usize) {
        let now = self.origin.elapsed();
        let mut s = self.lock();
        s.in_flight += 1;
        s.peak = s.peak.max(s.in_flight);
        s.starts[i] = Some(now);
        s.tasks[i] = tokio::task::try_id();
        if let Some(limiter) = &self.limiter {
            let free = limiter.semaphore.available_permits();
            let taken = limiter.permits.saturating_sub(free);
            if taken < s.in_flight && s.unpermitted.is_none() {
                s.unpermitted = Some(Unpermitted {
                    job: i,
                    running: s.in_flight,
                    taken,
                });
            }
        }
    }

    fn end(&self, i: usize) {
        let now = self.origin.elapsed();
        let mut s = self.lock();
        s.in_flight -= 1;
        s.finishes[i] = Some(now);
    }

    fn report(&self) -> Report {
        let s = self.lock();
        Report {
            calls: s.calls.clone(),
            starts: s.starts.iter().map(|t| t.map(to_ms)).collect(),
            finishes: s.finishes.iter().map(|t| t.map(to_ms)).collect(),
            peak: s.peak,
            tasks: s.tasks.clone(),
            unpermitted: s.unpermitted,
        }
    }
}

// ---------------------------------------------------------------------------
// Running the student's code.

/// One call's worth of observations.
struct Run {
    got: Vec<String>,
    /// Virtual time the call took, in ms.
    took: u64,
    report: Report,
    /// Free permits of the limiter after the call returned (`spawn_bounded`).
    free_after: Option<usize>,
}

#[track_caller]
fn run_window(durations: &[Duration], k: usize) -> Run {
    let durations = durations.to_vec();
    paused(WATCHDOG, RUN_HUNG, move || async move {
        let probe = Probe::new(&durations, None);
        let inputs: Vec<usize> = (0..durations.len()).collect();
        let (got, t) = timed(run_bounded(inputs, limit(k), probe.job())).await;
        Run {
            got,
            took: to_ms(t.virtual_time),
            report: probe.report(),
            free_after: None,
        }
    })
}

#[track_caller]
fn run_spawned(durations: &[Duration], permits: usize) -> Run {
    let durations = durations.to_vec();
    paused(WATCHDOG, SPAWN_HUNG, move || async move {
        let limiter = Arc::new(Semaphore::new(permits));
        let probe = Probe::new(&durations, Some(&limiter));
        let inputs: Vec<usize> = (0..durations.len()).collect();
        let job = probe.job();
        let (got, t) = timed(spawn_bounded(inputs, Arc::clone(&limiter), job)).await;
        Run {
            got,
            took: to_ms(t.virtual_time),
            report: probe.report(),
            free_after: Some(limiter.available_permits()),
        }
    })
}

// ---------------------------------------------------------------------------
// Judging.

/// `run_bounded(jobs of 5.0 s and 1.0 s, limit 2)`, for the messages.
fn window_call(durations: &[Duration], k: usize) -> String {
    format!("run_bounded({}, limit {k})", describe(durations))
}

/// `spawn_bounded(3 jobs of 1.0 s, a limiter of 2 permits)`, for the messages.
fn spawn_call(durations: &[Duration], permits: usize) -> String {
    format!(
        "spawn_bounded({}, a limiter of {permits} permits)",
        describe(durations)
    )
}

/// Every job called once, started and finished; the starts and finishes.
#[track_caller]
fn judge_jobs(what: &str, report: &Report) -> (Vec<u64>, Vec<u64>) {
    let n = report.calls.len();
    if let Some(i) = (0..n).find(|&i| report.calls[i] > 1) {
        fail!(
            "{what} called `job` {} times for input {i}.",
            report.calls[i];
            try = "call `job(input)` exactly once for every input."
        );
    }
    let never: Vec<String> = (0..n)
        .filter(|&i| report.starts[i].is_none() || report.finishes[i].is_none())
        .map(|i| format!("job {i}"))
        .collect();
    check!(
        never.is_empty(),
        "{what} returned, but {} never ran to the end: {}.",
        if never.len() == 1 { "one job" } else { "some jobs" },
        preview(&never);
        try = "await every job's future to completion before returning."
    );
    let starts = report.starts.iter().map(|s| s.unwrap_or(0)).collect();
    let finishes = report.finishes.iter().map(|f| f.unwrap_or(0)).collect();
    (starts, finishes)
}

/// One output per input, each in its input's slot.
#[track_caller]
fn judge_outputs(what: &str, got: &[String], finishes: &[u64]) {
    let n = finishes.len();
    let want: Vec<String> = (0..n).map(output).collect();
    check!(
        got.len() == n,
        "{what} returned {} outputs for {n} inputs.",
        got.len();
        try = "return exactly one output per input, in the order of `inputs`."
    );
    if got == want {
        return;
    }
    let mut sorted = got.to_vec();
    sorted.sort_by_key(|o| o.trim_start_matches("output-").parse::<usize>().ok());
    if sorted == want {
        let index = |o: &String| -> usize {
            o.trim_start_matches("output-")
                .parse()
                .expect("one of the probe's outputs")
        };
        let by_finish = got
            .windows(2)
            .all(|w| finishes[index(&w[0])] <= finishes[index(&w[1])]);
        if by_finish {
            fail!(
                "{what} returned the outputs in the order the jobs finished: {} instead of \
                 the input order {}.",
                preview(got),
                preview(&want);
                try = "outputs arrive as the jobs finish (`buffer_unordered`, \
                       `JoinSet::join_next`): carry each input's index along \
                       (`.enumerate()`) and put every output into its slot, \
                       `slots[i] = Some(output)`."
            );
        }
        fail!(
            "{what} returned the right outputs in the wrong order: {} instead of the input \
             order {}.",
            preview(got),
            preview(&want);
            try = "carry each input's index along and put every output into its slot."
        );
    }
    fail!(
        "{what} returned {}, expected {}.",
        preview(got),
        preview(&want);
        try = "return what each `job(input)` gave, one output per input, in input order."
    );
}

/// The limit, the sliding window and the total time.
#[track_caller]
fn judge_schedule(what: &str, durations: &[Duration], k: usize, run: &Run) {
    let (starts, finishes) = judge_jobs(what, &run.report);
    judge_outputs(what, &run.got, &finishes);

    let n = durations.len();
    let d: Vec<u64> = durations.iter().map(|&x| to_ms(x)).collect();
    let target = k.min(n);
    let peak = run.report.peak;
    let ideal_starts = sliding_starts(&d, k);
    let ideal = makespan(&d, &ideal_starts);
    let took = run.took;

    if let Some(u) = run.report.unpermitted {
        fail!(
            "{what}: job {} started while {} running but only {} of the limiter's \
             permits {} taken, so at least one running job held no permit of `limiter`. Either a \
             permit was dropped as soon as it was taken (`let _ = limiter.acquire().await` \
             drops it at once: `_` does not bind), or the jobs were limited by something other \
             than the limiter you were given (a `Semaphore` of your own, a `buffer_unordered` \
             window), which the other users of the same limiter cannot see.",
            u.job,
            if u.running == 1 {
                "1 job was".to_string()
            } else {
                format!("{} jobs were", u.running)
            },
            u.taken,
            if u.taken == 1 { "was" } else { "were" };
            try = "take a permit of `limiter` for each job and keep it until that job ends: \
                   `let permit = Arc::clone(&limiter).acquire_owned().await...` and move \
                   `permit` into the job's task (or bind it, `let _permit = ...`, inside the \
                   task)."
        );
    }
    if peak > k {
        if peak == n {
            fail!(
                "{what}: all {n} jobs ran at once, though the limit is {k}: nothing held them \
                 back. (If you used a Semaphore: `let _ = sem.acquire().await` drops the permit \
                 at the end of that very line, because `_` does not bind, so the job runs \
                 without one.)";
                try = "let at most `limit` jobs run: `buffer_unordered(limit)` on a stream of \
                       the jobs, or a permit per job that lives until the job is done \
                       (`let _permit = ...`, with a name)."
            );
        }
        fail!(
            "{what}: up to {peak} jobs ran at the same time, though the limit is {k}.";
            try = "start a job only when fewer than `limit` are running: \
                   `buffer_unordered(limit)`, or a permit per job held until it ends."
        );
    }
    if peak < target && peak == 1 {
        fail!(
            "{what} ran the jobs one after another: never more than 1 at a time, though the \
             limit allows {target} at once. It took {} instead of {}.",
            fmt_ms(took),
            fmt_ms(ideal);
            try = "don't await each job inside the loop: give the jobs to \
                   `buffer_unordered(limit)` (or spawn them, each holding a permit) so that up \
                   to `limit` of them are in flight together."
        );
    }
    if took > ideal + SLACK_MS {
        let batches = batch_starts(&d, k);
        let buffered = buffered_starts(&d, k);
        let idle = first_idle(&starts, &finishes, k);
        let stalled = idle.as_ref().map_or_else(String::new, |idle| {
            format!(
                " At {} only {} of the {k} slots {} busy, yet job {} waited until {} to start.",
                fmt_ms(idle.at),
                idle.running,
                if idle.running == 1 { "was" } else { "were" },
                idle.job,
                fmt_ms(idle.started)
            )
        });
        if same_schedule(&starts, &buffered) && !same_schedule(&buffered, &ideal_starts) {
            let also = if same_schedule(&buffered, &batches) {
                " (Batches of `limit` jobs do the same here.)"
            } else {
                ""
            };
            fail!(
                "{what} took {} instead of {}: a finished job kept its place in the window \
                 until the slow job before it was done.{stalled} That is what `buffered(k)` \
                 does: it yields outputs in input order, and an output that waits for its turn \
                 still counts towards k, so one slow job at the front stalls the window.{also}",
                fmt_ms(took),
                fmt_ms(ideal);
                try = "use `buffer_unordered(limit)`, which frees a slot the moment a job \
                       finishes; carry each input's index along and put every output into its \
                       slot to get the input order back."
            );
        }
        if same_schedule(&starts, &batches) {
            fail!(
                "{what} took {} instead of {}: the jobs ran in batches: you waited for the \
                 whole group before starting the next.{stalled}",
                fmt_ms(took),
                fmt_ms(ideal);
                try = "a sliding window, not batches: start the next job as soon as *any* job \
                       finishes. `buffer_unordered(limit)` does exactly that (so does a \
                       Semaphore with a permit per job); `chunks(limit)` + `join_all` \
                       does not."
            );
        }
        fail!(
            "{what} took {} instead of {}.{stalled}",
            fmt_ms(took),
            fmt_ms(ideal);
            try = "start the next job the moment one finishes, so that `limit` jobs are in \
                   flight while any job is waiting: `buffer_unordered(limit)`, or one permit \
                   per job."
        );
    }
    if peak < target {
        fail!(
            "{what}: at most {peak} jobs ran at once, though the limit allows {target}.";
            try = "keep `limit` jobs in flight while jobs are waiting."
        );
    }
    check!(
        close(took, ideal),
        "{what} took {} of (virtual) time, expected {}.",
        fmt_ms(took),
        fmt_ms(ideal);
        try = "return as soon as the last job is done."
    );
}

/// Every permit the call took is free again once it returned.
#[track_caller]
fn judge_permits(what: &str, permits: usize, run: &Run) {
    let free = run.free_after.expect("a spawn_bounded run");
    if free < permits {
        fail!(
            "after {what} returned, only {free} of the limiter's {permits} permits were free: \
             {} permits were never given back. The limiter is shared: every permit you keep \
             is a slot that no other caller can ever use again.",
            permits - free;
            try = "let each permit be dropped when its job ends (move it into the job's task); \
                   never `forget()` one, and don't keep permits after the jobs are done."
        );
    }
    check!(
        free == permits,
        "after {what} returned, the limiter had {free} free permits, but it had {permits} \
         before: you added permits to a limiter that is not yours.";
        try = "take permits with `acquire_owned` and let them drop; don't `add_permits`."
    );
}

// ---------------------------------------------------------------------------
// The tests: run_bounded.

#[test]
fn ten_jobs_with_limit_three_run_three_at_a_time() {
    let durations = vec![secs(1); 10];
    let run = run_window(&durations, 3);
    judge_schedule(&window_call(&durations, 3), &durations, 3, &run);
}

#[test]
fn a_free_slot_is_refilled_at_once() {
    // Slot 1 is free at 1 s, and the next job must start right then: 5 s in
    // all. Batches of 2 take 2 + 2 + 2 = 6 s.
    let durations = [secs(1), secs(2), secs(2), secs(2), secs(2)];
    let run = run_window(&durations, 2);
    judge_schedule(&window_call(&durations, 2), &durations, 2, &run);
}

#[test]
fn a_slow_first_job_does_not_stall_the_window() {
    // The four short jobs share the second slot while the slow one runs: 5 s.
    // `buffered(2)` and batches of 2 both take 7 s.
    let durations = [secs(5), secs(1), secs(1), secs(1), secs(1)];
    let run = run_window(&durations, 2);
    judge_schedule(&window_call(&durations, 2), &durations, 2, &run);
}

#[test]
fn outputs_come_back_in_input_order() {
    // The later jobs finish first.
    let durations = [secs(6), secs(5), secs(4), secs(3), secs(2), secs(1)];
    let run = run_window(&durations, 3);
    judge_schedule(&window_call(&durations, 3), &durations, 3, &run);
}

#[test]
fn a_limit_above_the_job_count_runs_them_all_at_once() {
    let durations = [secs(2), secs(3), secs(1), secs(3), secs(2)];
    let run = run_window(&durations, 8);
    judge_schedule(&window_call(&durations, 8), &durations, 8, &run);
}

#[test]
fn limit_one_runs_one_job_at_a_time() {
    let durations = [secs(1), secs(2), secs(1), secs(3)];
    let run = run_window(&durations, 1);
    judge_schedule(&window_call(&durations, 1), &durations, 1, &run);
}

#[test]
fn no_inputs_means_no_jobs() {
    let run = run_window(&[], 3);
    check!(
        run.got.is_empty(),
        "run_bounded(no inputs, limit 3) returned {} outputs, expected none.",
        run.got.len()
    );
    check!(
        run.took <= SLACK_MS,
        "run_bounded(no inputs, limit 3) took {} of (virtual) time; with nothing to do it \
         should return at once.",
        fmt_ms(run.took)
    );
    let run = run_spawned(&[], 2);
    check!(
        run.got.is_empty(),
        "spawn_bounded(no inputs, a limiter of 2 permits) returned {} outputs, expected none.",
        run.got.len()
    );
    check!(
        run.took <= SLACK_MS,
        "spawn_bounded(no inputs, a limiter of 2 permits) took {} of (virtual) time; with \
         nothing to do it should return at once.",
        fmt_ms(run.took)
    );
    judge_permits(&spawn_call(&[], 2), 2, &run);
}

// ---------------------------------------------------------------------------
// The tests: spawn_bounded.

#[test]
fn spawned_jobs_stay_within_the_limiter() {
    let durations = vec![secs(1); 10];
    let run = run_spawned(&durations, 3);
    judge_schedule(&spawn_call(&durations, 3), &durations, 3, &run);
    judge_permits(&spawn_call(&durations, 3), 3, &run);
}

#[test]
fn spawned_jobs_refill_a_free_slot_at_once() {
    let durations = [secs(5), secs(1), secs(1), secs(1), secs(1)];
    let run = run_spawned(&durations, 2);
    judge_schedule(&spawn_call(&durations, 2), &durations, 2, &run);
}

#[test]
fn spawned_outputs_come_back_in_input_order() {
    let durations = [secs(6), secs(5), secs(4), secs(3), secs(2), secs(1)];
    let run = run_spawned(&durations, 3);
    judge_schedule(&spawn_call(&durations, 3), &durations, 3, &run);
}

#[test]
fn every_job_runs_in_a_task_of_its_own() {
    let durations = [secs(2), secs(1), secs(3), secs(1), secs(2), secs(1)];
    let run = run_spawned(&durations, 3);
    let what = spawn_call(&durations, 3);
    let tasks = &run.report.tasks;
    if let Some(i) = (0..durations.len()).find(|&i| tasks[i].is_none()) {
        fail!(
            "{what}: job {i} ran outside any spawned task (`tokio::task::try_id()` was `None` \
             inside it): it was polled by the caller's own future, as `join_all` or \
             `buffer_unordered` do.";
            try = "spawn every job: `tokio::spawn(job(input))` or `JoinSet::spawn`, then await \
                   the tasks. Spawned tasks can run on other threads of a multi-thread runtime \
                   and keep going while the caller waits."
        );
    }
    for i in 0..durations.len() {
        if let Some(j) = (0..i).find(|&j| tasks[j] == tasks[i]) {
            fail!(
                "{what}: jobs {j} and {i} ran in the same tokio task: the jobs were spawned \
                 together (one task running several of them), not each in a task of its own.";
                try = "one task per job: call `tokio::spawn` (or `JoinSet::spawn`) once for \
                       every input."
            );
        }
    }
    judge_schedule(&spawn_call(&durations, 3), &durations, 3, &run);
}

#[test]
fn every_permit_is_given_back() {
    // Fewer jobs than permits, so a permit that is never given back cannot
    // block the call itself.
    let durations = [secs(2), secs(1), secs(3)];
    let run = run_spawned(&durations, 5);
    judge_permits(&spawn_call(&durations, 5), 5, &run);
    judge_schedule(&spawn_call(&durations, 5), &durations, 5, &run);
}

#[test]
fn two_callers_share_one_limiter() {
    // Two crawls at once, one limiter of 2 permits: together, 2 jobs at a time.
    const PERMITS: usize = 2;
    let durations = vec![secs(1); 8];
    let (a, b, took, report, free) = paused(WATCHDOG, SPAWN_HUNG, || async {
        let limiter = Arc::new(Semaphore::new(PERMITS));
        let probe = Probe::new(&[secs(1); 8], Some(&limiter));
        let first = spawn_bounded((0..4).collect(), Arc::clone(&limiter), probe.job());
        let second = spawn_bounded((4..8).collect(), Arc::clone(&limiter), probe.job());
        let ((a, b), t) = timed(async { tokio::join!(first, second) }).await;
        let free = limiter.available_permits();
        (a, b, to_ms(t.virtual_time), probe.report(), free)
    });
    let what = "two concurrent spawn_bounded calls of 4 jobs of 1.0 s each, sharing a limiter \
                of 2 permits";
    let (_, finishes) = judge_jobs(what, &report);
    judge_outputs(
        "the first spawn_bounded call (jobs 0 to 3)",
        &a,
        &finishes[..4],
    );
    let b_shifted: Vec<String> = b
        .iter()
        .map(|o| match o.trim_start_matches("output-").parse::<usize>() {
            Ok(i) if i >= 4 => output(i - 4),
            _ => o.clone(),
        })
        .collect();
    judge_outputs(
        "the second spawn_bounded call (jobs 4 to 7, shown as 0 to 3)",
        &b_shifted,
        &finishes[4..],
    );
    if report.peak > PERMITS {
        fail!(
            "{what}: together they ran up to {} jobs at once, but the limiter they share has \
             {PERMITS} permits. Each call limited only itself, with something of its own (a \
             `Semaphore::new(...)` of its own, a `buffer_unordered` window) instead of the \
             shared limiter's permits.",
            report.peak;
            try = "take every job's permit from the `limiter` you are given \
                   (`Arc::clone(&limiter).acquire_owned()`): the limit is shared, so that all \
                   callers together stay within it."
        );
    }
    let run = Run {
        got: (0..8).map(output).collect(),
        took,
        report,
        free_after: Some(free),
    };
    judge_schedule(what, &durations, PERMITS, &run);
    judge_permits(what, PERMITS, &run);
}
