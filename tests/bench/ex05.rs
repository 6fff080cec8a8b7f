//! Speed-up of `sums_of_squares` (whatever `src/lib.rs` holds) on all cores
//! against one core. Run with `cargo bench -p ex05`; `tests/scripts/measure.sh`
//! runs it against the reference solution.

use std::hint::black_box;
use std::ops::Range;
use std::time::{Duration, Instant};

fn best_of(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn time_with_threads(threads: usize, ranges: &[Range<u64>]) -> Duration {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool");
    pool.install(|| {
        best_of(5, || {
            drop(black_box(ex05::sums_of_squares(black_box(ranges))))
        })
    })
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let even: Vec<Range<u64>> = (0..4u64)
        .map(|i| i * 50_000_000..(i + 1) * 50_000_000)
        .collect();
    let uneven = vec![0..190_000_000, 0..1_000, 0..1_000, 0..1_000];
    for (name, ranges) in [("4 even ranges", &even), ("1 huge + 3 tiny", &uneven)] {
        let one = time_with_threads(1, ranges);
        let all = time_with_threads(cores, ranges);
        println!(
            "ex05 {name}: 1 thread {:.0} ms, {cores} threads {:.0} ms, speed-up {:.2} (ideal {cores})",
            one.as_secs_f64() * 1e3,
            all.as_secs_f64() * 1e3,
            one.as_secs_f64() / all.as_secs_f64()
        );
    }
}
