//! # Exercise 5: parallel sum of squares
//!
//! In Python, threads cannot speed up number crunching: the GIL lets only one
//! thread run Python code at a time. So for CPU-bound work you reach for
//! `ProcessPoolExecutor`, which starts one Python *process* per core and ships
//! the arguments and results between them:
//!
//! ```python
//! with ProcessPoolExecutor() as pool:
//!     results = list(pool.map(sum_of_squares, ranges))
//! ```
//!
//! Rust has no GIL. Threads run Rust code truly in parallel, one per core, and
//! share memory directly, with nothing to copy or pickle. What keeps that safe
//! is the compiler: the borrow checker and the `Send`/`Sync` traits reject any
//! program in which two threads could write the same data at once (a data race)
//! before it ever runs.
//!
//! You could start the threads yourself (`std::thread::scope`), but the usual
//! tool is [rayon](https://docs.rs/rayon): a pool of one worker thread per core,
//! and parallel iterators on top of it. Write `.par_iter()` where you would write
//! `.iter()`, and rayon splits the work into pieces, hands them to the workers and
//! puts the results back together **in order**. An idle worker *steals* pieces
//! from a busy one, so every core keeps working even when the pieces are uneven.
//!
//! ## Your task
//! 1. [`par_sum_map`]: for each range, the sum of `f(x)` over every `x` in it,
//!    in the same order as `ranges`, using every core. Also when one range is
//!    far bigger than the others: `[0..100_000_000, 0..10, 0..10, 0..10]` must
//!    keep every core busy, so the work *inside* a range is split too. And
//!    sum the numbers as they come, without storing them: a `Vec` of the
//!    numbers of `0..100_000_000` would take 800 MB of memory.
//! 2. [`sums_of_squares`]: `par_sum_map` with `f(x) = x²`.
//!
//! The results must be exact: the squares of `0..10_000_000` add up to about
//! 3.3 × 10²⁰, more than `u64::MAX` (about 1.8 × 10¹⁹), and `x * x` alone no
//! longer fits in a `u64` once `x` reaches 2³². Do the arithmetic in `u128`
//! (`u128::from(x)`). In a debug build Rust does not wrap around silently: it
//! panics with "attempt to add with overflow".
//!
//! ## Useful tools
//! - `use rayon::prelude::*;` brings the parallel iterator methods into scope.
//! - `slice.par_iter()`: a parallel iterator over a slice; `.map(...)` and
//!   `.collect::<Vec<_>>()` keep the input order.
//! - `range.clone().into_par_iter()`: a parallel iterator over a `Range<u64>`
//!   (a `Range` is an iterator itself, hence the `clone()`). Rayon splits it in
//!   halves as long as some worker is idle. Parallel iterators nest: an inner
//!   one inside an outer `map` is fine.
//! - `.sum::<u128>()` adds up a parallel iterator; `.map(&f)` applies `f`
//!   without moving it (`f` is `Sync`, so every worker may share it).
//! - `rayon::join(a, b)` runs two closures, possibly in parallel: the building
//!   block under all of the above.
//!
//! Run `cargo test -p ex05` to check your work. The tests watch which threads
//! call your `f`, so they can tell whether the work really was shared out.

use std::ops::Range;

/// For each range, the sum of `f(x)` over every `x` in the range.
///
/// The results come in the same order as `ranges`. The work is spread over
/// every core, inside each range too, so one huge range among small ones
/// still keeps every core busy.
pub fn par_sum_map<F>(ranges: &[Range<u64>], f: F) -> Vec<u128>
where
    F: Fn(u64) -> u128 + Sync + Send,
{
    let _ = (ranges, f);
    todo!("for each range, sum f over it in parallel (rayon), keeping the input order")
}

/// For each range, the exact sum of the squares of its numbers, in input order.
///
/// `sums_of_squares(&[0..4, 10..12])` is `vec![14, 221]` (0 + 1 + 4 + 9, and 100 + 121).
pub fn sums_of_squares(ranges: &[Range<u64>]) -> Vec<u128> {
    let _ = ranges;
    todo!("call par_sum_map with a function that squares x as a u128")
}
