// Mistake: the workers push each result into a shared Vec as its read finishes, so the results come back in completion order instead of the order of `paths`.
// Rejected by: results_keep_the_input_order
// Message contains: in the order the reads finished

use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

pub fn read_all(paths: &[PathBuf], workers: NonZeroUsize) -> Vec<io::Result<String>> {
    read_all_with(paths, workers, |path| std::fs::read_to_string(path))
}

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..workers.get().min(paths.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = paths.get(i) else { break };
                let result = read(path);
                results.lock().unwrap().push(result);
            });
        }
    });
    results.into_inner().unwrap()
}
