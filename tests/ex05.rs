//! Graded suite for exercise 5 (parallel sum of squares).
//!
//! Values are checked against closed forms computed in u128. Parallelism is
//! checked by structure, never with a stopwatch: an instrumented `f` records
//! which threads call it, and the first thread to call it on the watched
//! numbers waits (at most `GATE`) until a second thread calls it there too.
//! Work that really is shared out brings that second thread within
//! microseconds, even on a busy machine; sequential work never does, so the
//! wait times out once and the test says what it saw.
//!
//! The student's code runs on a rayon pool of its own in every test, so tests
//! running side by side never compete for the same workers.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::ops::Range;
use std::panic;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Once};
use std::thread::{self, ThreadId};
use std::time::Duration;

use ex05::{par_sum_map, sums_of_squares};
use grading::{check, cores, fail, fmt_duration, parallel_or_skip, within};

/// Real time any test may take before the watchdog stops it. The reference
/// needs a few milliseconds per test; no correct solution needs more than
/// `GATE + GRACE` plus milliseconds. A hanging mistake fails the 7 tests in
/// about 16 s (two at a time).
const WATCHDOG: Duration = Duration::from_secs(4);
/// How long the first caller of `f` waits for a second thread. An idle rayon
/// worker steals within microseconds, a busy machine delays it by
/// milliseconds: a second is plenty.
const GATE: Duration = Duration::from_secs(1);
const HUNG: &str = "Your code gave no result, though a correct solution needs well under a \
    second here. Something waits forever: a thread that is never joined, a channel whose \
    senders are never dropped, or a lock held while waiting for another thread.\n\
    Try: let rayon do the sharing out (`par_iter`, `into_par_iter`, `sum`, `collect`); \
    it waits for every piece and cannot deadlock.";

/// The student's `f` type as the suite passes it: one type for every test, so
/// the student's generic `par_sum_map` is compiled only once.
type Fun = Arc<dyn Fn(u64) -> u128 + Send + Sync>;

/// Runs `work` (which calls the student's code) on a fresh rayon pool with one
/// thread per core (at least two), under the watchdog.
#[track_caller]
fn on_pool(work: Box<dyn FnOnce() -> Vec<u128> + Send>) -> Vec<u128> {
    within(WATCHDOG, HUNG, move || {
        static NEXT_POOL: AtomicU64 = AtomicU64::new(1);
        quiet_repeated_panics();
        let id = NEXT_POOL.fetch_add(1, Ordering::Relaxed);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cores().max(2))
            .start_handler(move |_| POOL.set(id))
            // The grading crate's panic hook credits panics on threads of this
            // name to the student: every thread of this pool runs their code.
            .thread_name(|_| "graded-work".to_string())
            .build()
            .expect("the grader could not start a rayon thread pool");
        pool.install(work)
    })
}

thread_local! {
    /// Which of the suite's pools this thread works for (0: none).
    static POOL: Cell<u64> = const { Cell::new(0) };
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
                let place = info
                    .location()
                    .map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line()));
                let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
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
fn run_sums(ranges: &[Range<u64>]) -> Vec<u128> {
    let ranges = ranges.to_vec();
    on_pool(Box::new(move || sums_of_squares(&ranges)))
}

/// `par_sum_map(ranges, f)`, on a pool of its own, under the watchdog.
#[track_caller]
fn run_map(ranges: &[Range<u64>], f: impl Fn(u64) -> u128 + Send + Sync + 'static) -> Vec<u128> {
    let (ranges, f): (_, Fun) = (ranges.to_vec(), Arc::new(f));
    on_pool(Box::new(move || par_sum_map(&ranges, &*f)))
}

/// `1_099_511_627_776`: digits grouped as in Rust source.
fn num(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

fn show_range(r: &Range<u64>) -> String {
    format!("{}..{}", num(r.start.into()), num(r.end.into()))
}

/// Shows at most a handful of values, so a long mismatch stays readable.
fn preview(values: &[u128]) -> String {
    const SHOWN: usize = 6;
    let parts: Vec<String> = values.iter().take(SHOWN).map(|&v| num(v)).collect();
    if values.len() <= SHOWN {
        format!("[{}]", parts.join(", "))
    } else {
        format!("[{}, …] ({} values)", parts.join(", "), values.len())
    }
}

fn square(x: u64) -> u128 {
    let x = u128::from(x);
    x * x
}

/// The sum of x² over `0..n`: n(n-1)(2n-1)/6, exact in u128 for n < 2^41.
fn squares_below(n: u64) -> u128 {
    let n = u128::from(n);
    if n == 0 {
        return 0;
    }
    n * (n - 1) * (2 * n - 1) / 6
}

/// The exact sum of x² over `r`.
fn squares(r: &Range<u64>) -> u128 {
    if r.start >= r.end {
        0
    } else if r.end - r.start <= 16 {
        // Short ranges may sit near u64::MAX, beyond the closed form's reach.
        r.clone().map(square).sum()
    } else {
        squares_below(r.end) - squares_below(r.start)
    }
}

/// The exact sum of x over `r`.
fn identities(r: &Range<u64>) -> u128 {
    let below = |n: u64| u128::from(n) * u128::from(n.saturating_sub(1)) / 2;
    if r.start >= r.end {
        0
    } else {
        below(r.end) - below(r.start)
    }
}

/// Compares one call's sums with the expected ones and explains the first
/// difference. `expect` gives the right sum for a range.
#[track_caller]
fn judge(call: &str, ranges: &[Range<u64>], got: &[u128], expect: &dyn Fn(&Range<u64>) -> u128) {
    let want: Vec<u128> = ranges.iter().map(expect).collect();
    if got == want {
        return;
    }
    let shown: Vec<String> = ranges.iter().map(show_range).collect();
    let on = format!("`{call}` on [{}]", shown.join(", "));
    if got.len() != want.len() {
        fail!(
            "{on} returned {} sums for {} ranges: {}.",
            got.len(),
            ranges.len(),
            preview(got);
            try = "return exactly one sum per range, in the order of the ranges (an empty range \
                   sums to 0)."
        );
    }
    let (mut got_sorted, mut want_sorted) = (got.to_vec(), want.clone());
    got_sorted.sort_unstable();
    want_sorted.sort_unstable();
    if got_sorted == want_sorted {
        fail!(
            "{on} returned the right sums in the wrong order: {}, expected {}. They look like \
             they came back in the order the ranges finished, not in the input order.",
            preview(got),
            preview(&want);
            try = "let the result keep the input order: `ranges.par_iter().map(...).collect()` \
                   does; pushing each sum into a shared Vec or a channel as it is done does not."
        );
    }
    let i = (0..want.len())
        .find(|&i| got[i] != want[i])
        .expect("some sum differs");
    let (g, w, r) = (got[i], want[i], &ranges[i]);
    let head = format!(
        "{on}: the sum for {} (range number {}) is {}, expected {}.",
        show_range(r),
        i + 1,
        num(g),
        num(w)
    );
    if w > u128::from(u64::MAX) && g == w % (1 << 64) {
        fail!(
            "{head} That is the true sum wrapped around at 2^64: it was added up in 64 bits.";
            try = "add up in u128 (`.sum::<u128>()`) and widen each value with `u128::from(x)` \
                   before multiplying."
        );
    }
    if r.end < u64::MAX && g == expect(&(r.start..r.end + 1)) {
        fail!(
            "{head} That sum counts `end` too, but a Rust range `start..end` stops before `end` \
             (like Python's `range(start, end)`).";
            try = "iterate over the range itself: `range.clone().into_par_iter()`."
        );
    }
    fail!(
        "{head}";
        try = "add up f(x) for every x with start <= x < end, exactly, in u128."
    );
}

/// Watches the calls of `f`: which threads call it at all, which call it on
/// the `watched` numbers, and (when `hold` is set) keeps the first caller on
/// the watched numbers waiting until a second thread calls `f` there too, or
/// until `GATE` has passed.
struct Rendezvous {
    id: u64,
    watched: Range<u64>,
    hold: bool,
    seen: Mutex<Seen>,
    arrived: Condvar,
}

#[derive(Default)]
struct Seen {
    any: Vec<ThreadId>,
    watched: Vec<ThreadId>,
    gave_up: bool,
}

/// What a [`Rendezvous`] saw.
struct Threads {
    any: usize,
    watched: usize,
}

const ANY: u8 = 1;
const WATCHED: u8 = 2;

thread_local! {
    /// (rendezvous id, what this thread already reported to it): lets every
    /// call after a thread's first skip the lock.
    static REPORTED: Cell<(u64, u8)> = const { Cell::new((0, 0)) };
}

impl Rendezvous {
    fn new(watched: Range<u64>, hold: bool) -> Arc<Self> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Arc::new(Rendezvous {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            watched,
            hold,
            seen: Mutex::new(Seen::default()),
            arrived: Condvar::new(),
        })
    }

    /// Called by the instrumented `f` with its argument.
    fn visit(&self, x: u64) {
        let kind = if self.watched.contains(&x) {
            ANY | WATCHED
        } else {
            ANY
        };
        let (id, done) = REPORTED.get();
        let done = if id == self.id { done } else { 0 };
        if done & kind == kind {
            return;
        }
        REPORTED.set((self.id, done | kind));
        self.report(kind & !done);
    }

    fn report(&self, new: u8) {
        let me = thread::current().id();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if new & ANY != 0 {
            seen.any.push(me);
        }
        if new & WATCHED == 0 {
            return;
        }
        seen.watched.push(me);
        if seen.watched.len() == 2 {
            self.arrived.notify_all();
        }
        if seen.watched.len() == 1 && self.hold && !seen.gave_up {
            let (mut seen, wait) = self
                .arrived
                .wait_timeout_while(seen, GATE, |s| s.watched.len() < 2)
                .unwrap_or_else(|e| e.into_inner());
            if wait.timed_out() {
                seen.gave_up = true;
            }
        }
    }

    fn threads(&self) -> Threads {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        Threads {
            any: seen.any.len(),
            watched: seen.watched.len(),
        }
    }
}

/// Keeps the first call of `f` on the first range waiting until `f` has been
/// called on every number of the other ranges (at most `GATE`), then a little
/// longer: the first range is sure to finish last.
struct HoldFirst {
    first: Range<u64>,
    started: AtomicBool,
    others_left: Mutex<u64>,
    others_done: Condvar,
}

/// Time for the other ranges to hand in their sums once their last `f` call
/// returned. Only a mistake (collecting sums as they finish) depends on it.
const GRACE: Duration = Duration::from_millis(100);

impl HoldFirst {
    fn new(ranges: &[Range<u64>]) -> Arc<Self> {
        let others: u64 = ranges[1..].iter().map(|r| r.end - r.start).sum();
        Arc::new(HoldFirst {
            first: ranges[0].clone(),
            started: AtomicBool::new(false),
            others_left: Mutex::new(others),
            others_done: Condvar::new(),
        })
    }

    fn visit(&self, x: u64) {
        if self.first.contains(&x) {
            if !self.started.swap(true, Ordering::SeqCst) {
                let left = self.others_left.lock().unwrap_or_else(|e| e.into_inner());
                let left = self
                    .others_done
                    .wait_timeout_while(left, GATE, |left| *left > 0)
                    .unwrap_or_else(|e| e.into_inner());
                drop(left);
                thread::sleep(GRACE);
            }
        } else {
            let mut left = self.others_left.lock().unwrap_or_else(|e| e.into_inner());
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.others_done.notify_all();
            }
        }
    }
}

#[test]
fn empty_and_small_ranges_are_exact() {
    let ranges = vec![0..4, 10..12, 0..0, 0..1, 3..7, 7..7, 1..101];
    let got = run_sums(&ranges);
    judge("sums_of_squares", &ranges, &got, &squares);
    let none = run_sums(&[]);
    check!(
        none.is_empty(),
        "`sums_of_squares(&[])` returned {}, expected an empty Vec (no ranges, no sums).",
        preview(&none)
    );
}

#[test]
fn ten_million_squares_are_exact() {
    // The first sum is about 3.3e20, beyond u64::MAX (about 1.8e19).
    let ranges = vec![0..10_000_000, 10_000_000..12_000_000, 0..3_000_000];
    let got = run_sums(&ranges);
    judge("sums_of_squares", &ranges, &got, &squares);
}

#[test]
fn squares_beyond_u32_are_exact() {
    // From x = 2^32 on, x * x alone overflows a u64; the square of
    // u64::MAX - 1 still fits in a u128 (but two such squares would not).
    let ranges = vec![
        (1 << 32) - 3..(1 << 32) + 3,
        1 << 40..(1 << 40) + 100_000,
        u64::MAX - 1..u64::MAX,
    ];
    let got = run_sums(&ranges);
    judge("sums_of_squares", &ranges, &got, &squares);
}

#[test]
fn par_sum_map_sums_any_function() {
    // f = 1 counts the numbers: it catches summing x instead of f(x).
    let ranges = vec![5..10, 0..0, 0..1_000_000, 1 << 40..(1 << 40) + 3];
    let got = run_map(&ranges, |_| 1);
    judge("par_sum_map(ranges, |_| 1)", &ranges, &got, &|r| {
        u128::from(r.end.saturating_sub(r.start))
    });

    // Cubes: over 0..100_000 they add up to about 2.5e19, beyond u64::MAX.
    let ranges = vec![0..100_000, 10..20, 0..1];
    let got = run_map(&ranges, |x| u128::from(x).pow(3));
    judge("par_sum_map(ranges, |x| x³)", &ranges, &got, &|r| {
        let below = |n: u64| (u128::from(n) * u128::from(n.saturating_sub(1)) / 2).pow(2);
        below(r.end) - below(r.start)
    });

    // Values of f beyond 64 bits must be added up whole.
    let ranges = vec![0..1_000, 7..8];
    let got = run_map(&ranges, |x| u128::from(x) << 64);
    judge("par_sum_map(ranges, |x| x << 64)", &ranges, &got, &|r| {
        identities(r) << 64
    });
}

#[test]
fn sums_come_back_in_input_order() {
    // The first range is held back until the others are done, so sums
    // collected as they finish would put it last.
    let ranges = vec![0..1_000, 5_000..5_100, 20_000..20_010, 70_000..70_500];
    let hold = HoldFirst::new(&ranges);
    let got = run_map(&ranges, move |x| {
        hold.visit(x);
        square(x)
    });
    judge("par_sum_map(ranges, |x| x²)", &ranges, &got, &squares);

    let ranges = vec![0..2_000_000, 0..3, 0..50_000, 0..1];
    let got = run_sums(&ranges);
    judge("sums_of_squares", &ranges, &got, &squares);
}

#[test]
fn even_ranges_keep_several_threads_busy() {
    let parallel = parallel_or_skip("checking that the ranges are shared among threads");
    let ranges = vec![
        0..250_000,
        250_000..500_000,
        500_000..750_000,
        750_000..1_000_000,
    ];
    let probe = Rendezvous::new(0..u64::MAX, parallel);
    let got = run_map(&ranges, {
        let probe = Arc::clone(&probe);
        move |x| {
            probe.visit(x);
            u128::from(x)
        }
    });
    judge("par_sum_map(ranges, |x| x)", &ranges, &got, &identities);
    if !parallel {
        return;
    }
    let threads = probe.threads();
    check!(
        threads.any >= 2,
        "`par_sum_map` on 4 ranges of 250_000 numbers called f on one thread only: its first \
         call waited {} for any other thread to call f, and none did. All of it ran on one \
         thread, one range after the other, so one core did all the work while the others idled.",
        fmt_duration(GATE);
        try = "share the ranges out among threads: `ranges.par_iter().map(...).collect()` with \
               rayon (`use rayon::prelude::*;`)."
    );
}

#[test]
fn a_huge_range_is_shared_among_threads() {
    let parallel = parallel_or_skip("checking that a huge range is split among threads");
    const HUGE: u64 = 4_000_000;
    let small = 1 << 36;
    let ranges = vec![
        0..HUGE,
        small..small + 10,
        2 * small..2 * small + 10,
        3 * small..3 * small + 10,
    ];
    let probe = Rendezvous::new(0..HUGE, parallel);
    let got = run_map(&ranges, {
        let probe = Arc::clone(&probe);
        move |x| {
            probe.visit(x);
            square(x)
        }
    });
    judge("par_sum_map(ranges, |x| x²)", &ranges, &got, &squares);
    if !parallel {
        return;
    }
    let threads = probe.threads();
    if threads.watched >= 2 {
        return;
    }
    let what = format!(
        "`par_sum_map` on [0..{}, and 3 ranges of 10 numbers]",
        num(HUGE.into())
    );
    if threads.any < 2 {
        fail!(
            "{what} called f on one thread only: its first call waited {} for any other thread \
             to call f, and none did. All of it ran on one thread.",
            fmt_duration(GATE);
            try = "use rayon: `ranges.par_iter()` for the ranges and `range.clone().into_par_iter()` \
                   inside each one."
        );
    }
    fail!(
        "{what}: the small ranges went to other threads, but the huge range was summed by one \
         thread alone. Its first call of f waited {} for a second thread to help with the huge \
         range, and none did: the work was shared out range by range only, so once the small \
         ranges were done every other core sat idle.",
        fmt_duration(GATE);
        try = "split the work inside each range too: `range.clone().into_par_iter().map(&f).sum()` \
               lets rayon's idle workers steal halves of a big range."
    );
}
