// Mistake: deals the files out round-robin up front (worker k reads files k, k + workers, ...): a worker whose share is done idles while a file waits behind a slow one in another worker's share.
// Rejected by: a_slow_file_does_not_hold_up_the_others
// Message contains: those files were queued behind the slow one
// Cause: batches
// Removes: fn worker

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let w = workers.get().min(paths.len());
    let read = &read;
    let done = thread::scope(|scope| {
        let handles: Vec<_> = (0..w)
            .map(|k| {
                scope.spawn(move || {
                    (k..paths.len())
                        .step_by(w)
                        .map(|i| (i, read(&paths[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    in_input_order(paths.len(), done)
}
