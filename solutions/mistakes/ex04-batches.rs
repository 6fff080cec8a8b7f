// Mistake: reads the files in batches of `workers`, with a fresh thread for every file of every batch: never more than `workers` reads at once, but not a pool.
// Rejected by: forty_files_stay_within_four_workers
// Message contains: a new thread for every file (or for every batch of files) is not a pool
// Cause: resource-per-call
// Removes: fn worker, fn in_input_order

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let read = &read;
    let mut results = Vec::with_capacity(paths.len());
    for batch in paths.chunks(workers.get()) {
        thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|path| scope.spawn(move || read(path)))
                .collect();
            for handle in handles {
                results.push(handle.join().expect("a reader panicked"));
            }
        });
    }
    results
}
