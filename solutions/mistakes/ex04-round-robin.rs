// Mistake: deals the files out round-robin up front (worker k reads files k, k + workers, ...): a worker whose share is done idles while a file waits behind a slow one in another worker's share.
// Rejected by: a_slow_file_does_not_hold_up_the_others
// Message contains: those files were queued behind the slow one

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let w = workers.get().min(paths.len());
    let mut results: Vec<Option<io::Result<String>>> = (0..paths.len()).map(|_| None).collect();
    thread::scope(|scope| {
        let read = &read;
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
        for handle in handles {
            for (i, result) in handle.join().unwrap() {
                results[i] = Some(result);
            }
        }
    });
    results.into_iter().map(Option::unwrap).collect()
}
