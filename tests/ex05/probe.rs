//! The instrumentation: a rayon pool per call, an `f` that watches which
//! threads call it, an `f` that holds the first range back, and an allocator
//! that notes the largest block allocated.

use std::alloc::{GlobalAlloc, Layout, System};
use std::any::Any;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::ops::Range;
use std::panic;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ex05::{par_sum_map, sums_of_squares};
use grading::{
    catch_panic, cores, fmt_duration, ms, payload_text, record_student_panic, secs,
    within_diagnosing, Cause, Diagnosis, Patience, Rendezvous,
};

use crate::judge::{num, square};

/// Real time any test may take before the watchdog stops it. The reference
/// needs a few milliseconds per test; no correct solution needs more than
/// `GATE + GRACE` plus milliseconds. A hanging mistake fails the 8 tests in
/// about 16 s (two at a time).
pub const WATCHDOG: Duration = secs(4);
/// How long the first caller of a watched `f` waits for a second thread.
/// An idle rayon worker steals within microseconds, a busy machine delays
/// it by milliseconds: a second is plenty.
pub const GATE: Duration = secs(1);
/// Time for the other ranges to hand in their sums once their last `f` call
/// returned (`HoldFirst`), where the suite cannot see the pool's threads go
/// to sleep (not Linux, or a pool the student built). Only a mistake
/// (collecting sums as they finish) depends on it: it slips through only if
/// a thread that has made its last call is kept off the CPU for this long
/// before it hands in its sum.
pub const GRACE: Duration = ms(100);

/// How long the watchdog's diagnosis watches the stuck code (CPU used, calls
/// of `f` made) before saying what it saw.
const WINDOW: Duration = ms(500);

/// The watchdog's diagnosis, made when the limit has passed from what is
/// seen then: how many calls of `f` were made (when the suite made `f`),
/// and whether this test program still uses CPU. Calls beyond the numbers
/// of the ranges prove a loop that never ends; CPU time (not real time)
/// tells a spinning program from one whose threads all wait, and holds on a
/// loaded machine: a spinning thread still gets its share of a core (two
/// spinning threads with the load at 32 on 2 cores used 80 ms in 300 ms),
/// while a program whose threads all wait uses next to none.
fn hung(pool: u64, numbers: u64, calls: Option<&Calls>) -> Diagnosis {
    let cpu_before = process_cpu();
    let made_before = calls.map(Calls::made);
    // In how many samples (every 20 ms) another thread of this program was
    // seen running or ready to run: a thread starved by a busy machine
    // stays so in most of them, one woken for a moment in few.
    let (mut samples, mut seen_ready) = (0, Some(0));
    let start = Instant::now();
    while start.elapsed() < WINDOW {
        samples += 1;
        seen_ready = seen_ready
            .zip(runnable_threads())
            .map(|(n, ready)| n + usize::from(ready > 0));
        thread::sleep(ms(20));
    }
    let starved = seen_ready.map(|n| n * 2 >= samples);
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let head = format!(
        "Your code gave no result after {}, though a correct solution needs well under a second \
         here.",
        fmt_duration(WATCHDOG)
    );
    let panicked = FIRST_PANIC
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(p, _)| *p == pool)
        .map(|(_, text)| text.clone());
    if let Some(text) = panicked {
        // Rayon returns a panic once every piece of work has ended: a panic
        // in every piece (an overflow on each number) takes long to unwind.
        let d = Diagnosis::new(format!(
            "{head} Your code panicked ({text}) on one of the pool's threads, and the call had not \
             returned yet: the other pieces of work were still running or panicking when the \
             test was stopped."
        ));
        let d = if text.starts_with("attempt to multiply with overflow") {
            // A square of a u64 fits in a u128: the product was narrower.
            d.cause(Cause::ArithmeticOverflow)
        } else if text.contains("with overflow") {
            d.candidates([Cause::ArithmeticOverflow])
        } else {
            d
        };
        return d.advice(
            "read the panic above; for an overflow, widen before multiplying (`u128::from(x)`) \
             and add up in u128.",
        );
    }
    const ADVANCE: &str = "make every loop advance: iterate over the range itself (`for x in \
        range.clone()`, or better `range.clone().into_par_iter()`), which cannot forget a step.";
    if let Some(made) = calls.map(Calls::made).filter(|&made| made > numbers) {
        return Diagnosis::new(format!(
            "{head} f was called at least {} times, more than the {} numbers of the ranges: \
             some numbers are visited again and again, by a loop that never ends (a `while` \
             loop whose counter is never advanced: a forgotten `i += 1`?).",
            num(made.into()),
            num(numbers.into())
        ))
        .cause(Cause::BusyLoop)
        .advice(ADVANCE);
    }
    if let Some((before, after)) = made_before.zip(calls.map(Calls::made)) {
        if after > before {
            // Still making progress: slow (a busy machine?), not stuck.
            return Diagnosis::new(format!(
                "{head} f was still being called when the test was stopped (at least {} calls of \
                 the {} numbers, {} of them in the last {}): the work was going on, slowly. A \
                 correct solution shares it among the threads and needs a few milliseconds.",
                num(after.into()),
                num(numbers.into()),
                num((after - before).into()),
                fmt_duration(WINDOW)
            ))
            .advice(
                "let rayon share the work out: `ranges.par_iter()` for the ranges and \
                 `range.clone().into_par_iter()` inside each one.",
            );
        }
    }
    let waits = "a channel whose senders are never all dropped (receiving ends only when every \
        `Sender` is gone, the original one included), or a lock held while waiting for another \
        thread";
    match cpu {
        // Threads ready to run, yet little CPU: starved by a busy machine.
        Some(cpu) if cpu < WINDOW / 20 && starved == Some(true) => Diagnosis::new(format!(
            "{head} In the last {}, this test program used only {} of CPU, though some of its \
             threads were ready to run most of that time: the machine is too busy to tell what your code was \
             doing.",
            fmt_duration(WINDOW),
            fmt_duration(cpu)
        )),
        Some(cpu) if cpu >= WINDOW / 20 => Diagnosis::new(format!(
            "{head} In the last {}, this test program used {} of CPU: something keeps running. \
             Likely causes, most likely first:\n1. a loop that never ends: a counter never \
             advanced (a forgotten `i += 1`?), or a busy-wait;\n2. {waits} (then the CPU \
             belongs to other code still running).",
            fmt_duration(WINDOW),
            fmt_duration(cpu)
        ))
        .candidates([
            Cause::BusyLoop,
            Cause::ChannelNeverClosed,
            Cause::LockHeldWhileWaiting,
        ])
        .advice(format!(
            "{ADVANCE} Let rayon do the sharing out (`par_iter`, `into_par_iter`, `sum`, \
             `collect`): it waits for every piece and cannot deadlock."
        )),
        Some(cpu) => Diagnosis::new(format!(
            "{head} In the last {}, this test program used {} of CPU: every thread waits. Likely \
             causes, most likely first:\n1. {waits};\n2. a loop that waits without end.",
            fmt_duration(WINDOW),
            fmt_duration(cpu)
        ))
        .candidates([
            Cause::ChannelNeverClosed,
            Cause::LockHeldWhileWaiting,
            Cause::BusyLoop,
        ])
        .advice(
            "let rayon do the sharing out (`par_iter`, `into_par_iter`, `sum`, `collect`): it \
             waits for every piece and cannot deadlock. With a channel, drop the original \
             `Sender` before receiving (`drop(tx)`).",
        ),
        None => Diagnosis::new(format!(
            "{head} Something never ends. Likely causes: a loop that never ends (a counter never \
             advanced: a forgotten `i += 1`?, or a busy-wait), {waits}."
        ))
        .candidates([
            Cause::BusyLoop,
            Cause::ChannelNeverClosed,
            Cause::LockHeldWhileWaiting,
        ])
        .advice(format!(
            "{ADVANCE} Let rayon do the sharing out: it waits for every piece and cannot \
             deadlock."
        )),
    }
}

/// How many threads of this program, other than the calling one, the kernel
/// shows running or ready to run (`R` in `/proc/self/task/*/stat`); `None`
/// where it cannot be seen.
fn runnable_threads() -> Option<usize> {
    let me = std::fs::read_link("/proc/thread-self").ok()?;
    let me = me.file_name()?.to_owned();
    let mut n = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        if task.file_name() == me {
            continue;
        }
        // A thread may end meanwhile: then it does not count.
        let Ok(text) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let state = text
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next());
        if state == Some('R') {
            n += 1;
        }
    }
    Some(n)
}

/// The CPU time this test program has used so far, all its threads
/// together (Linux: `/proc/self/stat`, in the kernel's 10 ms ticks). `None`
/// where it cannot be read.
fn process_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // "pid (name) state ...": fields after the name; utime and stime are the
    // 14th and 15th fields of the line, the 12th and 13th after the name.
    let mut fields = text.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    // USER_HZ, the unit of these fields, is 100 on every Linux.
    Some(ms(10) * u32::try_from(user + system).ok()?)
}

/// Counts the calls of the suite's `f`, cheaply: each thread counts on its
/// own and adds its count to the shared one every [`FLUSH`] calls, so the
/// shared count lags by less than that per thread.
pub struct Calls {
    id: u64,
    made: AtomicU64,
}

const FLUSH: u64 = 1024;

thread_local! {
    /// (counter id, calls not yet added to it) for this thread.
    static UNCOUNTED: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

impl Calls {
    fn new() -> Arc<Calls> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Arc::new(Calls {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            made: AtomicU64::new(0),
        })
    }

    fn count(&self) {
        let (id, n) = UNCOUNTED.get();
        let n = if id == self.id { n + 1 } else { 1 };
        if n >= FLUSH {
            self.made.fetch_add(n, Ordering::Relaxed);
            UNCOUNTED.set((self.id, 0));
        } else {
            UNCOUNTED.set((self.id, n));
        }
    }

    /// At least this many calls were made.
    fn made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }
}

/// The first panic seen on each of the suite's pools: (pool id, message).
static FIRST_PANIC: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());

/// The student's `f` type as the suite passes it: one type for every test, so
/// the student's generic `par_sum_map` is compiled only once.
type Fun = Arc<dyn Fn(u64) -> u128 + Send + Sync>;

thread_local! {
    /// Which of the suite's pools this thread works for (0: none).
    static POOL: Cell<u64> = const { Cell::new(0) };
}

/// The threads of the suite's pools: one per core, at least two.
pub fn pool_threads() -> usize {
    cores().max(2)
}

/// Runs `work` (which calls the student's code) on a fresh rayon pool with one
/// thread per core (at least two), under the watchdog.
///
/// `numbers` is how many numbers the ranges hold, `calls` the count of the
/// suite's `f` (none when the student's `sums_of_squares` makes its own):
/// the evidence of the diagnosis when the watchdog fires.
#[track_caller]
fn on_pool(
    work: Box<dyn FnOnce() -> Vec<u128> + Send>,
    numbers: u64,
    calls: Option<Arc<Calls>>,
) -> Result<Vec<u128>, Box<dyn Any + Send>> {
    static NEXT_POOL: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_POOL.fetch_add(1, Ordering::Relaxed);
    let diagnose = move || hung(id, numbers, calls.as_deref());
    within_diagnosing(WATCHDOG, diagnose, move || {
        quiet_repeated_panics();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(pool_threads())
            .start_handler(move |_| {
                POOL.set(id);
                Sleeper::register(id);
            })
            // The grading crate's panic hook credits panics on threads of this
            // name to the student: every thread of this pool runs their code.
            .thread_name(|_| "graded-work".to_string())
            .build()
            .expect("the grader could not start a rayon thread pool");
        // Caught here so that the test can explain an overflow with what
        // it knows of the true sums (see `sums_or_fail`).
        catch_panic(|| pool.install(work))
    })
}

/// The sums, or the test fails with the student's panic explained. An
/// addition that overflowed is explained with what the suite knows: the
/// true sums fit in a u128, so either they were added up in a narrower type,
/// or more was added than the ranges hold (their `end` too?). When even
/// every range with its `end`, counted twice, fits (`squares`: f is x²),
/// only a narrower type can overflow.
#[track_caller]
fn sums_or_fail(
    outcome: Result<Vec<u128>, Box<dyn Any + Send>>,
    ranges: &[Range<u64>],
    squares: bool,
) -> Vec<u128> {
    let payload = match outcome {
        Ok(sums) => return sums,
        Err(payload) => payload,
    };
    let text = payload_text(payload.as_ref()).to_string();
    // Records the facts (the student's code panicked; an overflow).
    let message = record_student_panic(payload.as_ref());
    if !text.starts_with("attempt to add with overflow") {
        panic!("\n{message}\n");
    }
    let room_to_spare = |r: &Range<u64>| {
        let numbers = u128::from(r.end.saturating_sub(r.start)) + 1;
        square(r.end)
            .checked_mul(numbers)
            .and_then(|n| n.checked_mul(2))
            .is_some()
    };
    if squares && ranges.iter().all(room_to_spare) {
        Diagnosis::new(format!(
            "Your code panicked: {text}. These sums fit in a u128 with room to spare (even with \
             every range's `end` counted, twice), so the addition that overflowed was done in a \
             narrower type: the squares were added up in u64 (or smaller)."
        ))
        .cause(Cause::ArithmeticOverflow)
        .advice(
            "add up in u128: widen each number with `u128::from(x)` before multiplying, and \
             `.sum::<u128>()`.",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "Your code panicked: {text}. The true sums fit in a u128, so either they were added up in \
         a narrower type (u64), or more was added than the ranges hold (a range's `end` too, \
         like `start..=end`?)."
    ))
    .candidates([Cause::ArithmeticOverflow])
    .advice(
        "add up in u128 (`u128::from(x)`, `.sum::<u128>()`), and only the numbers start <= x < \
         end: `range.clone()`.",
    )
    .fail();
}

/// An overflow in the student's `f` panics in every piece rayon runs, and the
/// panic hook would print one line per piece: this keeps the first panic at
/// each place in each pool. Installed after the grading crate's hook (which
/// `within` installs before running anything), and wraps it.
fn quiet_repeated_panics() {
    static ONCE: Once = Once::new();
    static SEEN: Mutex<BTreeSet<(u64, String)>> = Mutex::new(BTreeSet::new());
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let pool = POOL.get();
            if pool != 0 {
                let mut first = FIRST_PANIC.lock().unwrap_or_else(PoisonError::into_inner);
                if !first.iter().any(|(p, _)| *p == pool) {
                    first.push((pool, payload_text(info.payload()).to_string()));
                }
                drop(first);
                let place = info
                    .location()
                    .map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line()));
                let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
                if !seen.insert((pool, place)) {
                    return;
                }
            }
            previous(info);
        }));
    });
}

/// `sums_of_squares(ranges)`, on a pool of its own, under the watchdog.
#[track_caller]
pub fn run_sums(ranges: &[Range<u64>]) -> Vec<u128> {
    let numbers = count_numbers(ranges);
    let owned = ranges.to_vec();
    let outcome = on_pool(Box::new(move || sums_of_squares(&owned)), numbers, None);
    sums_or_fail(outcome, ranges, true)
}

/// How many numbers `ranges` hold in all.
fn count_numbers(ranges: &[Range<u64>]) -> u64 {
    ranges
        .iter()
        .map(|r| r.end.saturating_sub(r.start))
        .fold(0, u64::saturating_add)
}

/// `par_sum_map(ranges, f)`, on a pool of its own, under the watchdog.
#[track_caller]
pub fn run_map(
    ranges: &[Range<u64>],
    f: impl Fn(u64) -> u128 + Send + Sync + 'static,
) -> Vec<u128> {
    let calls = Calls::new();
    let counted = Arc::clone(&calls);
    let f = move |x| {
        counted.count();
        f(x)
    };
    let (numbers, owned, f): (_, _, Fun) = (count_numbers(ranges), ranges.to_vec(), Arc::new(f));
    let outcome = on_pool(
        Box::new(move || par_sum_map(&owned, &*f)),
        numbers,
        Some(calls),
    );
    sums_or_fail(outcome, ranges, false)
}

// ---------------------------------------------------------------------------
// Which threads call f.

/// Watches the calls of `f`: which threads call it at all, and which call it
/// on the `watched` numbers. With `meet`, the first call of each thread on
/// the watched numbers enters a [`Rendezvous`] for two: the first such
/// caller waits (at most [`GATE`], once) until a second thread calls `f`
/// there too.
///
/// For the picture it also notes when each thread called `f`: its first
/// [`FIRST`] calls, then every [`EVERY`]th (a clock read per call would
/// slow `f` down), and the end of its wait at the rendezvous.
pub struct Threads {
    id: u64,
    watched: Range<u64>,
    meeting: Option<Rendezvous>,
    origin: Instant,
    seen: Mutex<Seen>,
}

/// A thread's first calls of `f` are timed, then one in this many.
const FIRST: u32 = 64;
const EVERY: u32 = 4096;

#[derive(Default)]
struct Seen {
    any: Vec<ThreadId>,
    watched: Vec<ThreadId>,
    /// Per thread, in the order of their first calls: from when to when it
    /// was seen calling `f` (since the probe was made).
    busy: Vec<(ThreadId, Duration, Duration)>,
}

impl Seen {
    fn busy_until(&mut self, me: ThreadId, now: Duration) {
        match self.busy.iter_mut().find(|(t, _, _)| *t == me) {
            Some((_, _, end)) => *end = now,
            None => self.busy.push((me, now, now)),
        }
    }
}

/// What [`Threads`] saw: how many threads called `f` at all, and how many on
/// the watched numbers; and when each thread was calling `f`, in the order
/// of their first calls.
pub struct Callers {
    pub any: usize,
    pub watched: usize,
    pub busy: Vec<(Duration, Duration)>,
}

const ANY: u8 = 1;
const WATCHED: u8 = 2;

thread_local! {
    /// (probe id, what this thread already reported to it, its calls so
    /// far): lets every call after a thread's first skip the lock, but one
    /// in [`EVERY`].
    static REPORTED: Cell<(u64, u8, u32)> = const { Cell::new((0, 0, 0)) };
}

impl Threads {
    pub fn new(watched: Range<u64>, meet: bool) -> Arc<Self> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Arc::new(Threads {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            watched,
            // Two at once is the proof; after two, nobody waits.
            meeting: meet.then(|| Rendezvous::new(2, GATE).expecting(2)),
            origin: Instant::now(),
            seen: Mutex::new(Seen::default()),
        })
    }

    /// Called by the instrumented `f` with its argument.
    pub fn visit(&self, x: u64) {
        let kind = if self.watched.contains(&x) {
            ANY | WATCHED
        } else {
            ANY
        };
        let (id, done, calls) = REPORTED.get();
        let (done, calls) = if id == self.id {
            (done, calls.wrapping_add(1))
        } else {
            (0, 0)
        };
        REPORTED.set((self.id, done | kind, calls));
        if done & kind == kind {
            if calls < FIRST || calls % EVERY == 0 {
                let now = self.origin.elapsed();
                self.lock().busy_until(thread::current().id(), now);
            }
            return;
        }
        let new = kind & !done;
        let me = thread::current().id();
        {
            let now = self.origin.elapsed();
            let mut seen = self.lock();
            if new & ANY != 0 {
                seen.any.push(me);
            }
            if new & WATCHED != 0 {
                seen.watched.push(me);
            }
            seen.busy_until(me, now);
        }
        if new & WATCHED != 0 {
            if let Some(meeting) = &self.meeting {
                drop(meeting.enter());
                // The wait belongs to the thread's time in `f`.
                let now = self.origin.elapsed();
                self.lock().busy_until(me, now);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn callers(&self) -> Callers {
        let seen = self.lock();
        Callers {
            any: seen.any.len(),
            watched: seen.watched.len(),
            busy: seen.busy.iter().map(|&(_, a, b)| (a, b)).collect(),
        }
    }
}

// ---------------------------------------------------------------------------
// The first range finishes last.

/// Keeps the first call of `f` on the first range waiting until `f` has been
/// called on every number of the other ranges (at most [`GATE`]), then until
/// the pool's other threads are asleep (on Linux; elsewhere [`GRACE`]
/// longer): the first range is sure to finish last.
pub struct HoldFirst {
    first: Range<u64>,
    started: AtomicBool,
    patience: Patience,
    others_left: Mutex<u64>,
    others_done: Condvar,
}

impl HoldFirst {
    pub fn new(ranges: &[Range<u64>]) -> Arc<Self> {
        let others: u64 = ranges[1..].iter().map(|r| r.end - r.start).sum();
        Arc::new(HoldFirst {
            first: ranges[0].clone(),
            started: AtomicBool::new(false),
            patience: Patience::new(GATE),
            others_left: Mutex::new(others),
            others_done: Condvar::new(),
        })
    }

    fn left(&self) -> MutexGuard<'_, u64> {
        self.others_left
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn visit(&self, x: u64) {
        if !self.first.contains(&x) {
            let mut left = self.left();
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.others_done.notify_all();
            }
        } else if !self.started.swap(true, Ordering::SeqCst) {
            let left = self.left();
            drop(
                self.patience
                    .wait_while(&self.others_done, left, |left| *left > 0),
            );
            // Then until the pool's other threads have handed in their sums
            // and gone to sleep, idle.
            if !Sleeper::others_asleep(POOL.get(), GATE) {
                thread::sleep(GRACE);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Idle threads.

/// Where the kernel shows a pool thread's state (Linux: `/proc/<pid>/task/<tid>/stat`).
struct Sleeper {
    id: ThreadId,
    stat: PathBuf,
}

/// The threads of each of the suite's pools, by pool id.
static SLEEPERS: Mutex<Vec<(u64, Sleeper)>> = Mutex::new(Vec::new());

impl Sleeper {
    /// Notes the calling thread as one of pool `pool`'s (when the kernel can
    /// show its state).
    fn register(pool: u64) {
        // `/proc/thread-self` links to `<pid>/task/<tid>`: this very thread.
        if let Ok(task) = std::fs::read_link("/proc/thread-self") {
            let sleeper = Sleeper {
                id: thread::current().id(),
                stat: PathBuf::from("/proc").join(task).join("stat"),
            };
            let mut all = SLEEPERS.lock().unwrap_or_else(PoisonError::into_inner);
            all.push((pool, sleeper));
        }
    }

    /// Whether the kernel shows the thread asleep (`S`): waiting, with no
    /// work. `None` when it cannot be seen.
    fn asleep(&self) -> Option<bool> {
        let text = std::fs::read_to_string(&self.stat).ok()?;
        // "tid (name) S ...": the name may hold spaces and parentheses.
        let state = text.rsplit_once(')')?.1.trim_start().chars().next()?;
        Some(state == 'S')
    }

    /// Waits until every other thread of pool `pool` has been seen asleep
    /// for two milliseconds on end, or `limit` has passed. `false` (at once)
    /// when this cannot be seen: not Linux, or not one of the suite's pools.
    fn others_asleep(pool: u64, limit: Duration) -> bool {
        let me = thread::current().id();
        let all = SLEEPERS.lock().unwrap_or_else(PoisonError::into_inner);
        let others: Vec<&Sleeper> = all
            .iter()
            .filter(|(p, s)| *p == pool && s.id != me)
            .map(|(_, s)| s)
            .collect();
        if pool == 0 || others.is_empty() {
            return false;
        }
        let start = Instant::now();
        let mut asleep_since: Option<Instant> = None;
        while start.elapsed() < limit {
            match others
                .iter()
                .map(|s| s.asleep())
                .collect::<Option<Vec<bool>>>()
            {
                None => return false,
                Some(states) if states.iter().all(|&a| a) => {
                    let since = *asleep_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= ms(2) {
                        return true;
                    }
                }
                Some(_) => asleep_since = None,
            }
            thread::sleep(Duration::from_micros(200));
        }
        true
    }
}

// ---------------------------------------------------------------------------
// Memory.

/// The allocator of this test binary: the system's, noting the largest block
/// asked for while [`largest_block`] watches.
pub struct Watch;

static WATCHING: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

fn note(size: usize) {
    if WATCHING.load(Ordering::Relaxed) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on to `System` unchanged; `note` only updates
// two atomics (no allocation, no lock).
unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

/// Runs `work` and returns its result with the largest block of memory
/// allocated in the meantime, by any thread of this test binary. One test
/// watches at a time.
pub fn largest_block<T>(work: impl FnOnce() -> T) -> (T, usize) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _watch = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    /// Stops watching, even when `work` panics.
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            WATCHING.store(false, Ordering::SeqCst);
        }
    }
    LARGEST.store(0, Ordering::SeqCst);
    WATCHING.store(true, Ordering::SeqCst);
    let stop = Stop;
    let result = work();
    drop(stop);
    (result, LARGEST.load(Ordering::SeqCst))
}
