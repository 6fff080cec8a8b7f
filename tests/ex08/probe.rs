//! The instrumentation: the grader's heartbeat task, and the blocking `work`
//! (the probe) handed to `run_blocking_all`.

use std::any::Any;
use std::fs;
use std::io;
use std::panic;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ex08::{count_lines, run_blocking_all, JobPanicked};
use grading::{catch_panic_async, ms, paused, secs, Cause, Diagnosis, Miss, Patience};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::together::Together;

/// Real time a test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds; a wrong one at most two [`PATIENCE`]
/// waits (one for the heartbeat, one at the rendezvous).
pub const WATCHDOG: Duration = secs(5);
/// How long a job waits for the heartbeat's answer, or at the rendezvous for
/// the jobs that should run alongside it (once per test each). A correct
/// solution needs microseconds.
pub const PATIENCE: Duration = secs(1);
/// The watchdog's diagnosis: the real-time limit alone proves no cause.
fn hung() -> Diagnosis {
    Diagnosis::new(
        "`run_blocking_all` never returned. Something waits forever, or never stops: a \
         JoinHandle or a channel that never completes, a lock held across an `.await`, or a \
         loop that never ends.",
    )
    .candidates([
        Cause::ChannelNeverClosed,
        Cause::LockHeldWhileWaiting,
        Cause::BusyLoop,
    ])
    .advice(
        "start every job with `tokio::task::spawn_blocking`, keep the handles in a Vec, then \
         `.await` each handle once.",
    )
}

/// A ping: the heartbeat answers on this channel.
pub type Ping = SyncSender<()>;

/// Starts the heartbeat on the current runtime: it answers every ping as soon
/// as the runtime gives it a turn. It never ticks, so the paused clock is
/// harmless.
pub fn start_heartbeat(mut pings: UnboundedReceiver<Ping>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(reply) = pings.recv().await {
            let _ = reply.try_send(());
        }
    })
}

/// What a ping found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pong {
    Answered,
    /// No answer within [`PATIENCE`]: the runtime's thread is blocked.
    Silent,
    /// The heartbeat is gone: the runtime already ended the test's future.
    Gone,
}

/// The kernel's id of the calling thread (Linux: `/proc/thread-self`), to
/// recognise the runtime's thread by its id. Never by its name: a thread made
/// with `std::thread::spawn` inherits its parent's name on Linux, so a helper
/// thread started on the runtime's thread looks like the runtime by name.
pub fn current_tid() -> Option<u32> {
    let link = fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// The scheduler state of thread `tid` of this process (Linux: `R` running or
/// runnable, `S`/`D` waiting, ...), `None` where `/proc` does not tell.
pub fn thread_state(tid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // "tid (name) S ...": the name may hold spaces and parentheses.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// The runtime's thread, once the runtime has noted it (see [`current_tid`]).
pub type RuntimeThread = Arc<OnceLock<u32>>;

/// Pings the heartbeat from a thread other than the runtime's, and waits for
/// the answer.
///
/// No answer within [`PATIENCE`] is [`Pong::Silent`] only when it cannot be
/// a busy machine's slowness: where `/proc` shows the runtime's thread
/// runnable (`R`: it may merely be waiting for a core), the ping waits once
/// more. A thread blocked in `join()`, `recv()` or `block_on` sleeps (`S`),
/// and an answer that never comes while it sleeps is proof.
pub fn ping(heartbeat: &UnboundedSender<Ping>, runtime: &RuntimeThread) -> Pong {
    let (reply, answer) = mpsc::sync_channel(1);
    if heartbeat.send(reply).is_err() {
        return Pong::Gone;
    }
    let mut extra = 1;
    loop {
        match answer.recv_timeout(PATIENCE) {
            Ok(()) => return Pong::Answered,
            Err(RecvTimeoutError::Disconnected) => return Pong::Gone,
            Err(RecvTimeoutError::Timeout) => {
                let runnable = runtime
                    .get()
                    .and_then(|&tid| thread_state(tid))
                    .is_some_and(|state| state == 'R');
                if !runnable || extra == 0 {
                    return Pong::Silent;
                }
                extra -= 1;
            }
        }
    }
}

/// The order the probe lets jobs finish in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// As soon as the rendezvous lets them go.
    Freely,
    /// Last job first: job i finishes only after every job after it.
    Reversed,
}

/// One run of `run_blocking_all(0..jobs, probe)`.
#[derive(Clone, Copy)]
pub struct Setup {
    pub jobs: usize,
    /// This job panics (after its bookkeeping).
    pub panicking: Option<usize>,
    pub finish: Finish,
}

impl Setup {
    pub fn new(jobs: usize) -> Self {
        Setup {
            jobs,
            panicking: None,
            finish: Finish::Freely,
        }
    }

    pub fn what(&self) -> String {
        format!("run_blocking_all({})", grading::count(self.jobs, "job"))
    }
}

/// The value job `i` returns.
pub fn value(i: usize) -> String {
    format!("result of job {i}")
}

#[derive(Default)]
struct State {
    /// `work` calls per input.
    calls: Vec<usize>,
    /// Inputs that were not the test's.
    strangers: Vec<usize>,
    /// Jobs in the order they finished.
    finished: Vec<usize>,
    /// Jobs that ran on the runtime's own thread.
    on_runtime: Vec<usize>,
    /// Jobs that ran on one of rayon's threads.
    on_rayon: usize,
    /// The job whose ping the heartbeat never answered.
    silent: Option<usize>,
    /// For the picture: when each job began and ended (`None`: not yet),
    /// since the probe was made, and when the unanswered ping was sent and
    /// given up.
    spans: Vec<Option<(Duration, Option<Duration>)>>,
    silent_at: Option<(Duration, Duration)>,
}

/// The blocking `work`. Each job
///
/// 1. notes its thread: a job on the runtime's own thread (a direct call, a
///    `tokio::spawn`) is a frozen runtime, seen at once, with no waiting;
/// 2. pings the heartbeat and blocks until it answers (at most [`PATIENCE`],
///    once per test): a runtime whose thread waits for the job (`join()`,
///    `recv()`, `block_on`) cannot answer;
/// 3. enters a rendezvous ([`Together`]) of *all* the jobs: the sheet asks for every
///    job at once, so a job waits there until every one is in flight. A
///    correct solution gets them all there in microseconds; one that awaits
///    each job before the next, or keeps a window of k jobs in flight, never
///    does, whatever the timing, and the rendezvous notes the miss.
pub struct Probe {
    setup: Setup,
    runtime_thread: ThreadId,
    /// The same thread, by its kernel id, for [`ping`].
    runtime: RuntimeThread,
    heartbeat: UnboundedSender<Ping>,
    state: Mutex<State>,
    wake: Condvar,
    together: Together,
    /// For [`Finish::Reversed`]: waiting for the later jobs to finish.
    finishing: Patience,
    /// Where the picture's clock starts.
    origin: Instant,
}

/// What the probe saw, handed back to the test's thread.
pub struct Report {
    pub calls: Vec<usize>,
    pub strangers: Vec<usize>,
    /// Most jobs in flight at once.
    pub peak: usize,
    /// What the rendezvous saw when it gave up waiting for every job.
    pub miss: Option<Miss>,
    pub finished: Vec<usize>,
    pub on_runtime: Vec<usize>,
    pub on_rayon: usize,
    pub silent: Option<usize>,
    /// When each job began and ended (`None`: not seen to end before the
    /// report was made), and when the unanswered ping was sent and given up.
    pub spans: Vec<Option<(Duration, Option<Duration>)>>,
    pub silent_at: Option<(Duration, Duration)>,
    /// When the report was made.
    pub ended_at: Duration,
}

impl Probe {
    /// Made on the runtime's thread, which it remembers.
    fn new(setup: Setup, heartbeat: UnboundedSender<Ping>) -> Self {
        Probe {
            setup,
            runtime_thread: thread::current().id(),
            runtime: Arc::new(current_tid().map(OnceLock::from).unwrap_or_default()),
            heartbeat,
            state: Mutex::new(State {
                calls: vec![0; setup.jobs],
                spans: vec![None; setup.jobs],
                ..State::default()
            }),
            wake: Condvar::new(),
            together: Together::new(setup.jobs, PATIENCE),
            finishing: Patience::new(PATIENCE),
            origin: Instant::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One job: the `work` the student's code runs.
    fn job(&self, i: usize) -> String {
        let n = self.setup.jobs;
        let mut s = self.lock();
        if i >= n {
            s.strangers.push(i);
            return format!("job {i} is not one of the test's inputs");
        }
        s.calls[i] += 1;
        s.spans[i].get_or_insert((self.origin.elapsed(), None));
        if thread::current().id() == self.runtime_thread {
            // Blocking here would freeze the heartbeat for good: note it and
            // return at once.
            s.on_runtime.push(i);
            s.finished.push(i);
            self.ended(&mut s, i);
            drop(s);
            return self.finish(i);
        }
        if rayon::current_thread_index().is_some() {
            s.on_rayon += 1;
        }
        let beat = s.silent.is_none();
        drop(s);

        // 1. Is the runtime still running tasks while this job blocks?
        let sent = self.origin.elapsed();
        if beat && ping(&self.heartbeat, &self.runtime) == Pong::Silent {
            let mut s = self.lock();
            s.silent.get_or_insert(i);
            s.silent_at.get_or_insert((sent, self.origin.elapsed()));
        }

        // 2. Every job in flight at once.
        let inside = self.together.enter();

        // 3. Finish in the order the test asks for.
        let mut s = self.lock();
        if self.setup.finish == Finish::Reversed {
            let turn = n - 1 - i;
            s = self
                .finishing
                .wait_while(&self.wake, s, |s| s.finished.len() < turn)
                .0;
            if turn > 0 {
                // Let the job that finished just before hand its result
                // over first, so that "finish order" is the order the
                // results come back in when they are taken as they come.
                drop(s);
                thread::sleep(ms(2));
                s = self.lock();
            }
        }
        drop(inside);
        s.finished.push(i);
        self.ended(&mut s, i);
        self.wake.notify_all();
        drop(s);
        self.finish(i)
    }

    /// Notes, for the picture, that job `i` ended now.
    fn ended(&self, s: &mut State, i: usize) {
        if let Some((_, end)) = &mut s.spans[i] {
            *end = Some(self.origin.elapsed());
        }
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
            peak: self.together.peak(),
            miss: self.together.miss(),
            finished: s.finished.clone(),
            on_runtime: s.on_runtime.clone(),
            on_rayon: s.on_rayon,
            silent: s.silent,
            spans: s.spans.clone(),
            silent_at: s.silent_at,
            ended_at: self.origin.elapsed(),
        }
    }
}

/// What `run_blocking_all` gave: its results, or the payload of its panic.
pub type Outcome = Result<Vec<Result<String, JobPanicked>>, Box<dyn Any + Send>>;

/// How long `run_blocking_all` with no inputs may stay pending on the paused
/// clock: with nothing running, the clock jumps straight there, so a future
/// that waits for nothing is seen at once.
pub const NOTHING_TO_WAIT_FOR: Duration = secs(3600);

/// Runs `run_blocking_all(0..jobs, probe)` on a current-thread runtime next
/// to the heartbeat, under the watchdog. `None`: with no inputs, it was
/// still pending with nothing left to wait for.
#[track_caller]
pub fn run_probe(setup: Setup) -> (Option<Outcome>, Report) {
    paused(WATCHDOG, hung(), move || async move {
        let (heartbeat, pings) = unbounded_channel();
        let beating = start_heartbeat(pings);
        let probe = Arc::new(Probe::new(setup, heartbeat));
        let work = {
            let probe = Arc::clone(&probe);
            move |i: usize| probe.job(i)
        };
        let run = catch_panic_async(run_blocking_all((0..setup.jobs).collect(), work));
        let outcome = if setup.jobs == 0 {
            tokio::time::timeout(NOTHING_TO_WAIT_FOR, run).await.ok()
        } else {
            Some(run.await)
        };
        beating.abort();
        (outcome, probe.report())
    })
}

/// The watchdog's diagnosis for `count_lines`: no cause proven.
fn hung_lines() -> Diagnosis {
    Diagnosis::new(
        "`count_lines` never returned. Something waits forever, or a loop never ends (reading \
         on after the end of the file?).",
    )
    .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
    .advice("`tokio::task::spawn_blocking(move || { /* open, read and count */ }).await`.")
}

/// Runs `count_lines(path)` on a current-thread runtime next to the
/// heartbeat (answering `pings`), under the watchdog. `Err`: its panic.
#[track_caller]
pub fn run_count_lines(
    path: PathBuf,
    pings: UnboundedReceiver<Ping>,
    runtime: RuntimeThread,
) -> Result<io::Result<usize>, Box<dyn Any + Send>> {
    paused(WATCHDOG, hung_lines(), move || async move {
        if let Some(tid) = current_tid() {
            let _ = runtime.set(tid);
        }
        let beating = start_heartbeat(pings);
        let outcome = catch_panic_async(count_lines(path)).await;
        beating.abort();
        outcome
    })
}
