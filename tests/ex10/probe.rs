//! The instrumentation: the grader's `job` (the probe), the runs of the
//! student's functions under the watchdog, and the monitor that tells a run
//! that waits forever from one that spins.

use std::any::Any;
use std::future::Future;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ex10::{run_bounded, spawn_bounded};
use grading::{catch_panic_async, ms, paused, secs, timed, Cause, Diagnosis, Track};
use tokio::runtime::Handle;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::Id as TaskId;
use tokio::time::Instant;

/// Real time any test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds: the paused clock skips every sleep.
/// Only a blocked thread gets this far: a run that waits forever, or spins,
/// is stopped by the monitor after [`FIRST_LOOK`] + [`WINDOW`].
pub const WATCHDOG: Duration = secs(2);
/// When the monitor first looks at a run that has not finished yet.
const FIRST_LOOK: Duration = ms(300);
/// A run whose jobs neither start nor finish for this long (real time) is stuck.
const WINDOW: Duration = ms(400);

/// The watchdog's diagnosis: the real-time limit proves only that the
/// thread never came back to the runtime, not what held it.
fn blocked() -> Diagnosis {
    Diagnosis::new(
        "your function did not return, and the thread running it stopped answering: it was \
         blocked, not waiting for a permit or a timer (the grader would have seen that and \
         stopped it sooner). Something holds the thread: `std::thread::sleep`, a loop that \
         never reaches an `.await`, `futures::executor::block_on` inside async code, or a \
         blocking lock.",
    )
    .candidates([
        Cause::BlockingInAsync,
        Cause::BusyLoop,
        Cause::LockHeldWhileWaiting,
    ])
    .advice("let tokio do the waiting: `.await` the semaphore, the jobs and the tasks.")
}

/// The panic the grader's job raises on purpose.
pub const PLANNED_PANIC: &str = "job 1 failed: the grader's job panics here on purpose";

/// What a job returns: the tests check that each lands in its input's slot.
pub fn output(i: usize) -> String {
    format!("output-{i}")
}

pub fn limit(k: usize) -> NonZeroUsize {
    NonZeroUsize::new(k).expect("the suite uses limits of at least 1")
}

/// Rounds a (virtual) duration to whole milliseconds.
pub fn to_ms(d: Duration) -> u64 {
    u64::try_from((d.as_micros() + 500) / 1000).unwrap_or(u64::MAX)
}

type JobFuture = Pin<Box<dyn Future<Output = String> + Send>>;

/// A limiter and how many permits it had when the test began.
struct Limiter {
    semaphore: Arc<Semaphore>,
    permits: usize,
}

/// A job that ran while fewer permits were taken than jobs were running.
#[derive(Clone, Copy)]
pub struct Unpermitted {
    pub job: usize,
    pub running: usize,
    pub taken: usize,
}

#[derive(Default)]
struct State {
    calls: Vec<usize>,
    tasks: Vec<Option<TaskId>>,
    unpermitted: Option<Unpermitted>,
}

/// The grader's `job`: its `track` notes when each job starts and ends (lane
/// `job i` for input `i`); the probe notes in which task each runs and, for
/// `spawn_bounded`, how many of the limiter's permits are taken while it
/// runs. Then it sleeps its duration.
pub struct Probe {
    origin: Instant,
    track: Track,
    durations: Vec<Duration>,
    /// The limit of the call (the window, or the limiter's permits).
    limit: usize,
    limiter: Option<Limiter>,
    /// The job that panics (on purpose) when it is done, if any.
    panics: Option<usize>,
    state: Mutex<State>,
    /// Bumped at every call, start and end: the monitor's sign of progress.
    events: Arc<AtomicUsize>,
}

/// What the probe saw, in whole milliseconds of virtual time.
pub struct Report {
    /// Each job's duration, and the limit the call was given: what a correct
    /// solution's schedule is built from.
    pub durations: Vec<u64>,
    pub limit: usize,
    /// When the report was taken: the call's end (or when it was stopped).
    pub ended: u64,
    pub calls: Vec<usize>,
    pub starts: Vec<Option<u64>>,
    /// When each job ran to its end (or panicked, on purpose); `None`: it
    /// did not (yet), or was dropped first.
    pub finishes: Vec<Option<u64>>,
    pub peak: usize,
    pub tasks: Vec<Option<TaskId>>,
    /// The record the peak and the starts and finishes come from.
    pub track: Track,
    pub unpermitted: Option<Unpermitted>,
}

impl Probe {
    /// Must be called inside the runtime: the origin is on tokio's clock.
    pub fn new(
        durations: &[Duration],
        limit: usize,
        limiter: Option<&Arc<Semaphore>>,
    ) -> Arc<Self> {
        Self::with_panic(durations, limit, limiter, None)
    }

    fn with_panic(
        durations: &[Duration],
        limit: usize,
        limiter: Option<&Arc<Semaphore>>,
        panics: Option<usize>,
    ) -> Arc<Self> {
        let n = durations.len();
        let lanes = (0..n).map(|i| format!("job {i}"));
        Arc::new(Probe {
            origin: Instant::now(),
            track: Track::with_lanes(grading::Clock::Virtual, lanes),
            durations: durations.to_vec(),
            limit,
            limiter: limiter.map(|s| Limiter {
                semaphore: Arc::clone(s),
                permits: s.available_permits(),
            }),
            panics,
            state: Mutex::new(State {
                calls: vec![0; n],
                tasks: vec![None; n],
                ..State::default()
            }),
            events: Arc::new(AtomicUsize::new(0)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn event(&self) {
        self.events.fetch_add(1, Ordering::SeqCst);
    }

    /// The `job` handed to the student's function.
    pub fn job(self: &Arc<Self>) -> impl Fn(usize) -> JobFuture + Send + Sync + 'static {
        let probe = Arc::clone(self);
        move |i| {
            probe.lock().calls[i] += 1;
            probe.event();
            let job = Arc::clone(&probe);
            Box::pin(probe.track.wrap_lane(i, async move {
                job.begin(i);
                tokio::time::sleep(job.durations[i]).await;
                job.event();
                if job.panics == Some(i) {
                    panic!("{PLANNED_PANIC}");
                }
                output(i)
            }))
        }
    }

    fn begin(&self, i: usize) {
        self.event();
        // This job included: the track noted its start on this first poll.
        let in_flight = self.track.running().len();
        let mut s = self.lock();
        s.tasks[i] = tokio::task::try_id();
        if let Some(limiter) = &self.limiter {
            let free = limiter.semaphore.available_permits();
            let taken = limiter.permits.saturating_sub(free);
            if taken < in_flight && s.unpermitted.is_none() {
                s.unpermitted = Some(Unpermitted {
                    job: i,
                    running: in_flight,
                    taken,
                });
            }
        }
    }

    pub fn report(&self) -> Report {
        let s = self.lock();
        let runs = self.track.runs();
        Report {
            durations: self.durations.iter().map(|&d| to_ms(d)).collect(),
            limit: self.limit,
            ended: to_ms(self.origin.elapsed()),
            calls: s.calls.clone(),
            starts: runs.iter().map(|r| r.started.map(to_ms)).collect(),
            finishes: runs
                .iter()
                .map(|r| r.ended.filter(|_| r.finished || r.panicked).map(to_ms))
                .collect(),
            peak: self.track.timeline("").peak(),
            track: self.track.clone(),
            tasks: s.tasks.clone(),
            unpermitted: s.unpermitted,
        }
    }

    /// Awaits `fut` (the student's call) unless it gets stuck; see [`Stuck`].
    pub async fn unless_stuck<F: Future>(&self, fut: F) -> Result<F::Output, Stuck> {
        let (stop_tx, stop_rx) = oneshot::channel();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let handle = Handle::current();
        // Called on the runtime's own thread: its kernel id, for `/proc`.
        let runtime = thread_in_proc::current();
        let events = Arc::clone(&self.events);
        let limiter = self
            .limiter
            .as_ref()
            .map(|l| (Arc::clone(&l.semaphore), l.permits));
        std::thread::Builder::new()
            .name("ex10-monitor".into())
            .spawn(move || monitor(&handle, runtime, &events, limiter, &done_rx, stop_tx))
            .expect("the grader could not start a thread");
        let outcome = tokio::select! {
            biased;
            output = fut => Ok(output),
            Ok(look) = stop_rx => Err(look),
        };
        drop(done_tx);
        outcome.map_err(|(busy, window, permits, sent, parked)| Stuck {
            busy,
            window,
            at: self.origin.elapsed(),
            permits,
            answered_after: sent.elapsed(),
            parked,
        })
    }
}

/// A run the monitor stopped: for [`WINDOW`] of real time no job was
/// called, started or finished, although the runtime still answered.
pub struct Stuck {
    /// The share of the window the runtime spent running code (polling
    /// tasks): about 0 when every task waited, well above it when a task
    /// polled in a loop.
    pub busy: f64,
    pub window: Duration,
    /// Tokio's (paused) clock when the run was stopped.
    pub at: Duration,
    /// The limiter's permits, in all and free, when the run was stopped.
    pub permits: Option<(usize, usize)>,
    /// Real time the runtime took to notice the stop: an idle or spinning
    /// runtime notices at once, one whose thread is blocked only when the
    /// block ends.
    pub answered_after: Duration,
    /// Whether the runtime's thread was parked in tokio's event loop
    /// (`epoll`) when the run was stopped: idle, not blocked in a call.
    /// `None` where `/proc` does not tell.
    pub parked: Option<bool>,
}

impl Stuck {
    /// The thread was blocked in one poll (`std::thread::sleep`, a blocking
    /// lock) for most of the window, and only then noticed the stop: tokio
    /// reports no busy time while a poll has not returned.
    ///
    /// A late answer alone could be a busy machine's slowness: where `/proc`
    /// shows the thread parked in tokio's event loop, it was idle, not
    /// blocked.
    pub fn blocked(&self) -> bool {
        self.answered_after > ms(250) && self.parked != Some(true)
    }

    /// The runtime kept running code: something polls in a loop. An idle
    /// runtime runs no code at all (its worker is parked), so the line
    /// between the two is far from both.
    pub fn spinning(&self) -> bool {
        self.busy > 0.02
    }
}

/// What the monitor saw of a stuck run: busy share, window, permits, when it
/// asked the run to stop, and whether the runtime's thread was parked.
type Look = (
    f64,
    Duration,
    Option<(usize, usize)>,
    std::time::Instant,
    Option<bool>,
);

/// Watches a run from a thread of its own: once no job event happened for a
/// whole [`WINDOW`], it measures how busy the runtime was meanwhile, notes the
/// limiter's free permits (if any) and stops the run through `stop`. Ends
/// when `done` is dropped.
fn monitor(
    handle: &Handle,
    runtime: Option<u32>,
    events: &AtomicUsize,
    limiter: Option<(Arc<Semaphore>, usize)>,
    done: &mpsc::Receiver<()>,
    stop: oneshot::Sender<Look>,
) {
    let metrics = handle.metrics();
    let sample = || {
        (
            std::time::Instant::now(),
            metrics.worker_total_busy_duration(0),
            events.load(Ordering::SeqCst),
            runtime.and_then(thread_in_proc::cpu_ticks),
        )
    };
    if done.recv_timeout(FIRST_LOOK) != Err(RecvTimeoutError::Timeout) {
        return;
    }
    let mut before = sample();
    loop {
        if done.recv_timeout(WINDOW) != Err(RecvTimeoutError::Timeout) {
            return;
        }
        let now = sample();
        // A runnable thread that got next to no CPU in the window may just
        // be waiting for a core of a loaded machine: look again. (Idle and
        // blocked threads sleep; a spinning one gets CPU, however slowly.)
        let starved = runtime.and_then(thread_in_proc::state) == Some('R')
            && matches!((before.3, now.3), (Some(a), Some(b)) if b.saturating_sub(a) < 2);
        if now.2 == before.2 && !starved {
            let real = now.0 - before.0;
            let busy = now.1.saturating_sub(before.1).as_secs_f64() / real.as_secs_f64();
            let permits = limiter.map(|(s, all)| (all, s.available_permits()));
            let parked = runtime
                .and_then(thread_in_proc::wchan)
                .map(|wchan| wchan.contains("epoll"));
            let _ = stop.send((
                busy.min(1.0),
                real,
                permits,
                std::time::Instant::now(),
                parked,
            ));
            return;
        }
        before = now;
    }
}

// ---------------------------------------------------------------------------
// Running the student's code.

/// One call's worth of observations.
pub struct Run {
    pub outcome: Result<Vec<String>, Stuck>,
    /// Virtual time the call took, in ms.
    pub took: u64,
    pub report: Report,
    /// Free permits of the limiter after the call returned (`spawn_bounded`).
    pub free_after: Option<usize>,
}

#[track_caller]
pub fn run_window(durations: &[Duration], k: usize) -> Run {
    let durations = durations.to_vec();
    paused(WATCHDOG, blocked(), move || async move {
        let probe = Probe::new(&durations, k, None);
        let inputs: Vec<usize> = (0..durations.len()).collect();
        let call = run_bounded(inputs, limit(k), probe.job());
        let (outcome, t) = timed(probe.unless_stuck(call)).await;
        Run {
            outcome,
            took: to_ms(t.virtual_time),
            report: probe.report(),
            free_after: None,
        }
    })
}

#[track_caller]
pub fn run_spawned(durations: &[Duration], permits: usize) -> Run {
    let durations = durations.to_vec();
    paused(WATCHDOG, blocked(), move || async move {
        let limiter = Arc::new(Semaphore::new(permits));
        let probe = Probe::new(&durations, permits, Some(&limiter));
        let inputs: Vec<usize> = (0..durations.len()).collect();
        let call = spawn_bounded(inputs, Arc::clone(&limiter), probe.job());
        let (outcome, t) = timed(probe.unless_stuck(call)).await;
        Run {
            outcome,
            took: to_ms(t.virtual_time),
            report: probe.report(),
            free_after: Some(limiter.available_permits()),
        }
    })
}

/// Two `spawn_bounded` calls at once, jobs 0-3 and 4-7, sharing a limiter.
pub struct SharedRun {
    pub outcome: Result<(Vec<String>, Vec<String>), Stuck>,
    pub took: u64,
    pub report: Report,
    pub free_after: usize,
}

#[track_caller]
pub fn run_two_callers(durations: &[Duration], permits: usize) -> SharedRun {
    let durations = durations.to_vec();
    paused(WATCHDOG, blocked(), move || async move {
        let limiter = Arc::new(Semaphore::new(permits));
        let probe = Probe::new(&durations, permits, Some(&limiter));
        let half = durations.len() / 2;
        let first = spawn_bounded((0..half).collect(), Arc::clone(&limiter), probe.job());
        let second = spawn_bounded(
            (half..durations.len()).collect(),
            Arc::clone(&limiter),
            probe.job(),
        );
        let both = async { tokio::join!(first, second) };
        let (outcome, t) = timed(probe.unless_stuck(both)).await;
        SharedRun {
            outcome,
            took: to_ms(t.virtual_time),
            report: probe.report(),
            free_after: limiter.available_permits(),
        }
    })
}

/// A `spawn_bounded` call in which job 1 panics.
pub struct PanicRun {
    /// What the call returned, or the payload of the panic that reached the caller.
    pub outcome: Result<Result<Vec<String>, Box<dyn Any + Send>>, Stuck>,
    pub report: Report,
}

#[track_caller]
pub fn run_with_a_panic(durations: &[Duration], permits: usize) -> PanicRun {
    let durations = durations.to_vec();
    paused(WATCHDOG, blocked(), move || async move {
        let limiter = Arc::new(Semaphore::new(permits));
        let probe = Probe::with_panic(&durations, permits, Some(&limiter), Some(1));
        let inputs: Vec<usize> = (0..durations.len()).collect();
        let call = catch_panic_async(spawn_bounded(inputs, limiter, probe.job()));
        let outcome = probe.unless_stuck(call).await;
        PanicRun {
            outcome,
            report: probe.report(),
        }
    })
}

/// What `/proc` tells about a thread of this process (Linux; `None`
/// elsewhere): the runtime's thread is told apart by its kernel id.
mod thread_in_proc {
    use std::fs;

    /// The calling thread's kernel id.
    pub fn current() -> Option<u32> {
        let link = fs::read_link("/proc/thread-self").ok()?;
        link.file_name()?.to_str()?.parse().ok()
    }

    /// The fields of `/proc/self/task/<tid>/stat` after the name.
    fn stat(tid: u32) -> Option<Vec<String>> {
        let stat = fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
        let rest = stat.rsplit_once(')')?.1;
        Some(rest.split_whitespace().map(str::to_string).collect())
    }

    /// Scheduler state: `R` running or runnable, `S` sleeping, ...
    pub fn state(tid: u32) -> Option<char> {
        stat(tid)?.first()?.chars().next()
    }

    /// CPU time used (user + system), in clock ticks.
    pub fn cpu_ticks(tid: u32) -> Option<u64> {
        let fields = stat(tid)?;
        // After the name: state is field 3, utime 14 and stime 15.
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some(utime + stime)
    }

    /// Where in the kernel the thread waits (`do_epoll_wait`, `futex_wait`, ...).
    pub fn wchan(tid: u32) -> Option<String> {
        fs::read_to_string(format!("/proc/self/task/{tid}/wchan")).ok()
    }
}
