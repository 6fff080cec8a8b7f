//! Graded suite for exercise 5 (parallel sum of squares).
//!
//! Values are checked against closed forms computed in u128 (`judge.rs`).
//! Parallelism is checked by structure, never with a stopwatch: an
//! instrumented `f` records which threads call it, and the first thread to
//! call it on the watched numbers waits at a `grading::Rendezvous` (at most
//! `GATE`) until a second thread calls it there too. Work that really is
//! shared out brings that second thread within microseconds, even on a busy
//! machine; sequential work never does, so the wait times out once and the
//! test says what it saw. Memory is watched by the test binary's allocator,
//! which notes the largest block allocated while the student's code runs.
//!
//! The student's code runs on a rayon pool of its own in every test, so tests
//! running side by side never compete for the same workers (`probe.rs`).
//!
//! `sums_come_back_in_input_order` holds the first range back until every
//! other number has been passed to `f` and, on Linux, the pool's other
//! threads are seen asleep (so they have handed in their sums). Sums
//! collected as they finish then come back in the wrong order every run.
//! Elsewhere it waits `GRACE` (100 ms) instead: such a mistake slips through
//! only if a thread is kept off the CPU that long between its last `f` call
//! and handing in its sum.

mod judge;
mod probe;

use std::sync::Arc;

use grading::{parallel_or_skip, Diagnosis};

use judge::{
    identities, judge, judge_huge_range_shared, judge_memory, judge_shared_out, num, preview,
    square, squares,
};
use probe::{largest_block, run_map, run_sums, HoldFirst, Threads, Watch};

#[global_allocator]
static ALLOCATOR: Watch = Watch;

#[test]
fn empty_and_small_ranges_are_exact() {
    let ranges = vec![0..4, 10..12, 0..0, 0..1, 3..7, 7..7, 1..101];
    let got = run_sums(&ranges);
    judge("sums_of_squares", &ranges, &got, &squares);
    let none = run_sums(&[]);
    if !none.is_empty() {
        Diagnosis::new(format!(
            "`sums_of_squares(&[])` returned {}, expected an empty Vec (no ranges, no sums).",
            preview(&none)
        ))
        .fail();
    }
}

#[test]
fn ten_million_squares_are_exact() {
    // The first sum is about 3.3e20, beyond u64::MAX (about 1.8e19).
    let ranges = vec![0..10_000_000, 10_000_000..11_000_000, 0..1_000_000];
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

    let ranges = vec![0..500_000, 0..3, 0..50_000, 0..1];
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
    let probe = Threads::new(0..u64::MAX, parallel);
    // The sums are other tests' business: this one watches the threads.
    run_map(&ranges, {
        let probe = Arc::clone(&probe);
        move |x| {
            probe.visit(x);
            u128::from(x)
        }
    });
    if parallel {
        judge_shared_out(
            "`par_sum_map` on 4 ranges of 250_000 numbers",
            &probe.callers(),
        );
    }
}

#[test]
fn a_huge_range_is_shared_among_threads() {
    let parallel = parallel_or_skip("checking that a huge range is split among threads");
    const HUGE: u64 = 1_000_000;
    let small = 1 << 36;
    let ranges = vec![
        0..HUGE,
        small..small + 10,
        2 * small..2 * small + 10,
        3 * small..3 * small + 10,
    ];
    let probe = Threads::new(0..HUGE, parallel);
    run_map(&ranges, {
        let probe = Arc::clone(&probe);
        move |x| {
            probe.visit(x);
            square(x)
        }
    });
    if parallel {
        let what = format!(
            "`par_sum_map` on [0..{}, and 3 ranges of 10 numbers]",
            num(HUGE.into())
        );
        judge_huge_range_shared(&what, &probe.callers());
    }
}

#[test]
fn a_range_is_summed_without_a_list_of_its_numbers() {
    // A million u64 are 8 MB; a correct solution allocates a few kB at a time.
    const NUMBERS: u64 = 1_000_000;
    let ranges = vec![0..NUMBERS, 0..10];
    // The sums are other tests' business: this one watches the memory.
    let (_, largest) = largest_block(|| run_sums(&ranges));
    let what = format!("`sums_of_squares` on [0..{}, 0..10]", num(NUMBERS.into()));
    judge_memory(&what, largest, NUMBERS);
}
