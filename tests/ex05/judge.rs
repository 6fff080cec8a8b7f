//! The judges: exact sums from closed forms, and what a wrong sum means.

use std::ops::Range;

use grading::{count, fmt_duration, preview_with, Cause, Clock, Diagnosis, Timeline};

use crate::probe::{pool_threads, Callers, GATE};

/// `1_099_511_627_776`: digits grouped as in Rust source.
pub fn num(n: u128) -> String {
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

pub fn show_range(r: &Range<u64>) -> String {
    format!("{}..{}", num(r.start.into()), num(r.end.into()))
}

/// Shows at most a handful of values, so a long mismatch stays readable.
pub fn preview(values: &[u128]) -> String {
    preview_with(values, 6, |&v| num(v))
}

pub fn square(x: u64) -> u128 {
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
pub fn squares(r: &Range<u64>) -> u128 {
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
pub fn identities(r: &Range<u64>) -> u128 {
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
pub fn judge(
    call: &str,
    ranges: &[Range<u64>],
    got: &[u128],
    expect: &dyn Fn(&Range<u64>) -> u128,
) {
    let want: Vec<u128> = ranges.iter().map(expect).collect();
    if got == want {
        return;
    }
    let shown: Vec<String> = ranges.iter().map(show_range).collect();
    let on = format!("`{call}` on [{}]", shown.join(", "));
    if got.len() != want.len() {
        Diagnosis::new(format!(
            "{on} returned {} sums for {} ranges: {}.",
            got.len(),
            ranges.len(),
            preview(got)
        ))
        .advice(
            "return exactly one sum per range, in the order of the ranges (an empty range sums \
             to 0).",
        )
        .fail();
    }
    let (mut got_sorted, mut want_sorted) = (got.to_vec(), want.clone());
    got_sorted.sort_unstable();
    want_sorted.sort_unstable();
    if got_sorted == want_sorted {
        Diagnosis::new(format!(
            "{on} returned the right sums in the wrong order: {}, expected {}. They look like \
             they came back in the order the ranges finished, not in the input order.",
            preview(got),
            preview(&want)
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "let the result keep the input order: `ranges.par_iter().map(...).collect()` does; \
             pushing each sum into a shared Vec or a channel as it is done does not.",
        )
        .fail();
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
        Diagnosis::new(format!(
            "{head} That is the true sum wrapped around at 2^64: it was added up in 64 bits."
        ))
        .cause(Cause::ArithmeticOverflow)
        .advice(
            "add up in u128 (`.sum::<u128>()`) and widen each value with `u128::from(x)` before \
             multiplying.",
        )
        .fail();
    }
    if r.end < u64::MAX && g == expect(&(r.start..r.end + 1)) {
        Diagnosis::new(format!(
            "{head} That sum counts `end` too, but a Rust range `start..end` stops before `end` \
             (like Python's `range(start, end)`)."
        ))
        .advice("iterate over the range itself: `range.clone().into_par_iter()`.")
        .fail();
    }
    let len = r.end - r.start;
    if let Some(k) = (1..=len.min(4096)).rfind(|&k| g == expect(&(r.start..r.end - k))) {
        Diagnosis::new(format!(
            "{head} That is the sum without the last {} of the range: the range was cut into \
             pieces by hand, and the numbers left over at the end were not summed (`len / k` \
             numbers per piece drops `len % k` of them).",
            count(k as usize, "number")
        ))
        .advice(
            "let rayon split the range (`range.clone().into_par_iter()`); by hand, let the last \
             piece end at `range.end`.",
        )
        .fail();
    }
    Diagnosis::new(head)
        .advice("add up f(x) for every x with start <= x < end, exactly, in u128.")
        .fail();
}

/// `f` was called on at least two threads.
#[track_caller]
pub fn judge_shared_out(what: &str, callers: &Callers) {
    if callers.any < 2 {
        Diagnosis::new(format!(
            "{what} called f on one thread only: its first call waited {} for any other thread \
             to call f, and none did. All of it ran on one thread, one range after the other, so \
             one core did all the work while the others idled.{}",
            fmt_duration(GATE),
            record_threads_picture(callers)
        ))
        .cause(Cause::NotParallel)
        .advice(
            "share the ranges out among threads: `ranges.par_iter().map(...).collect()` with \
             rayon (`use rayon::prelude::*;`).",
        )
        .fail();
    }
}

/// `f` was called on the huge range by at least two threads.
#[track_caller]
pub fn judge_huge_range_shared(what: &str, callers: &Callers) {
    if callers.watched >= 2 {
        return;
    }
    if callers.any < 2 {
        Diagnosis::new(format!(
            "{what} called f on one thread only: its first call waited {} for any other thread \
             to call f, and none did. All of it ran on one thread.{}",
            fmt_duration(GATE),
            record_threads_picture(callers)
        ))
        .cause(Cause::NotParallel)
        .advice(
            "use rayon: `ranges.par_iter()` for the ranges and `range.clone().into_par_iter()` \
             inside each one.",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "{what}: the small ranges went to other threads, but the huge range was summed by one \
         thread alone. Its first call of f waited {} for a second thread to help with the huge \
         range, and none did: the work was shared out range by range only, so once the small \
         ranges were done every other core sat idle.{}",
        fmt_duration(GATE),
        record_threads_picture(callers)
    ))
    .cause(Cause::NotParallel)
    .advice(
        "split the work inside each range too: `range.clone().into_par_iter().map(&f).sum()` lets \
         rayon's idle workers steal halves of a big range.",
    )
    .fail();
}

/// When each thread called f (one lane per thread, in the order of their
/// first calls, and at least one per thread of the pool) above a correct
/// solution, whose rayon workers all share the work until it is done.
fn record_threads_picture(callers: &Callers) -> String {
    let threads = pool_threads();
    let seen = Timeline::new("what your code did", Clock::Real).numbered(
        "thread",
        threads,
        callers.busy.iter().map(|&span| [span]),
    );
    let end = seen.end();
    let correct = Timeline::new(
        "what a correct solution does (all threads busy)",
        Clock::Real,
    )
    .numbered("thread", 0, vec![[(Default::default(), end)]; threads]);
    grading::record_picture(&seen, &correct)
}

/// No block of memory grew with the size of the range.
#[track_caller]
pub fn judge_memory(what: &str, largest: usize, numbers: u64) {
    // A correct solution allocates a few kB at a time.
    const LIMIT: usize = 1 << 20;
    if largest > LIMIT {
        Diagnosis::new(format!(
            "{what} allocated a block of {} MB at once: about {} bytes per number of the big \
             range. Most likely the numbers (or the values of f) were stored in a Vec before \
             being added up, so a range of a billion numbers would need gigabytes.",
            largest >> 20,
            largest as u64 / numbers
        ))
        .advice(
            "add up as the numbers come: `range.clone().into_par_iter().map(&f).sum::<u128>()` \
             never stores them; `collect()` into a Vec first does.",
        )
        .fail();
    }
}
