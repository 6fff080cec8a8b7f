//! Wall time of `read_all_with` (whatever `src/lib.rs` holds) against the
//! ideal for a pool: 20 reads of 50 ms with 4 workers take 5 rounds, 250 ms.
//! Run with `cargo bench -p ex04`.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    const FILES: usize = 20;
    const WORKERS: usize = 4;
    const READ: Duration = Duration::from_millis(50);
    let paths: Vec<PathBuf> = (0..FILES).map(|i| PathBuf::from(format!("f{i}"))).collect();
    let workers = NonZeroUsize::new(WORKERS).expect("not zero");
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            let results = ex04::read_all_with(&paths, workers, |_| {
                thread::sleep(READ);
                Ok(String::new())
            });
            assert_eq!(results.len(), FILES);
            start.elapsed()
        })
        .min()
        .expect("five runs");
    let ideal = READ * FILES.div_ceil(WORKERS) as u32;
    println!(
        "ex04 {FILES} reads of 50 ms, {WORKERS} workers: {:.0} ms (ideal {:.0} ms, {:.2}x ideal)",
        best.as_secs_f64() * 1e3,
        ideal.as_secs_f64() * 1e3,
        best.as_secs_f64() / ideal.as_secs_f64()
    );
}
