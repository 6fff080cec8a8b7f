/// How many threads this machine can run at once (1 if unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Returns `true` when the machine can run two threads at once. Otherwise
/// prints why the parallelism check is skipped, so a 1-core machine never
/// fails a correct solution for want of cores.
pub fn parallel_or_skip(what: &str) -> bool {
    let n = cores();
    if n >= 2 {
        return true;
    }
    println!("SKIPPED: {what} needs at least 2 cores, this machine has {n}.");
    false
}
