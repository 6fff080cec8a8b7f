//! # Exercise 4: read files with a pool of threads
//!
//! In Python, `ThreadPoolExecutor(max_workers=4)` keeps four threads and hands
//! them jobs: `executor.map(read_file, paths)` reads every file with at most
//! four reads going on at once, and gives the results back in the order of
//! `paths`. Threads suit this job because reading a file is mostly waiting for
//! the disk: while one thread waits, another one reads.
//!
//! Rust's standard library has threads but no ready-made pool, so you build a
//! small one. A pool is three ideas:
//! - **A fixed number of worker threads, started once.** Each thread costs
//!   memory and start-up time, and each read holds a file open: a thousand
//!   files must not mean a thousand threads. `workers` is the limit.
//! - **A shared queue of work.** A worker that is free takes the *next* file,
//!   until none is left. (Cutting the list into fixed chunks up front is not
//!   the same: one worker runs out early and idles while another still has a
//!   queue.)
//! - **Results go into their file's slot**, so the output keeps the input
//!   order however the reads happen to finish.
//!
//! `std::thread::scope` makes this pleasant: threads spawned inside the scope
//! may *borrow* local data (`paths`, `read`, a counter, the result slots),
//! because the scope does not return before every one of its threads has
//! finished, so no borrow can outlive what it points to. No `Arc`, no
//! `'static`, no cloning of the paths.
//!
//! ## Your task
//! 1. [`read_all_with`]: call `read(path)` exactly once for every path, on at
//!    most `workers` threads, with at most `workers` reads in flight at once;
//!    while there are files left, keep every worker busy. Return one result
//!    per path, **in the order of `paths`**. A file that fails gets its error
//!    in its own slot, and the other files are still read.
//! 2. [`read_all`]: the same, reading with `std::fs::read_to_string`. A
//!    missing file gives an error of kind `io::ErrorKind::NotFound`, a file
//!    that is not UTF-8 one of kind `io::ErrorKind::InvalidData`.
//!
//! The tests pass their own `read` function to `read_all_with`: it counts how
//! many reads run at once and on which threads, so they can tell a pool from
//! a loop or from one thread per file.
//!
//! ## Useful tools
//! - `std::thread::scope(|s| { s.spawn(|| ...); })`: scoped threads; a
//!   spawned closure may return a value, which `handle.join()` hands back.
//! - `AtomicUsize::fetch_add(1, Ordering::Relaxed)`: hands out 0, 1, 2, ...
//!   each number exactly once, whichever thread asks: a work queue without a
//!   lock. (`Mutex<...>` or a `crossbeam::channel` work too; with a channel,
//!   drop the `Sender` once everything is sent, or the workers wait forever.)
//! - `workers.get()` is the `usize` inside the `NonZeroUsize`; with fewer
//!   files than workers, `workers.get().min(paths.len())` threads are enough.
//! - rayon (exercise 5) is made for CPU work. `rayon::ThreadPoolBuilder` can
//!   build a pool of `workers` threads, but its parallel iterators hand items
//!   out in batches, so a slow file can hold up the one queued behind it:
//!   add `.with_max_len(1)` if you go that way.
//!
//! Run `cargo test -p ex04` to check your work.

use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

/// Reads every file with [`std::fs::read_to_string`], at most `workers` at a
/// time, and returns one result per path in the order of `paths`.
pub fn read_all(paths: &[PathBuf], workers: NonZeroUsize) -> Vec<io::Result<String>> {
    let _ = (paths, workers);
    todo!("call read_all_with with std::fs::read_to_string")
}

/// Calls `read` once for every path, on at most `workers` threads, and
/// returns one result per path in the order of `paths`.
///
/// At most `workers` reads run at once; while files are left, every worker
/// is busy. A failing read puts its error in its own slot; the other paths
/// are still read.
pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let _ = (paths, workers, read);
    todo!("start min(workers, paths.len()) threads that each take the next path until none is left")
}
