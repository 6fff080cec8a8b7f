// Mistake: the workers push each result into a shared Vec as its read finishes, so the results come back in completion order instead of the order of `paths`.
// Rejected by: results_keep_the_input_order
// Message contains: in the order the reads finished
// Cause: wrong-order
// Removes: fn worker, fn in_input_order

use std::sync::Mutex;

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
