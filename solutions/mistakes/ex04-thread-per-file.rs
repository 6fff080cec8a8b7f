// Mistake: spawns one thread per file and ignores `workers`: a thousand files, a thousand threads.
// Rejected by: four_workers_read_ten_files_together
// Message contains: every file was read on a thread of its own
// Cause: resource-per-call
// Removes: fn worker, fn in_input_order

pub fn read_all_with<F>(
    paths: &[PathBuf],
    _workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let read = &read;
    thread::scope(|scope| {
        let handles: Vec<_> = paths
            .iter()
            .map(|path| scope.spawn(move || read(path)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a reader panicked"))
            .collect()
    })
}
