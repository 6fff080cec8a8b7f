// Mistake: splits the files into `workers` fixed chunks up front, so a worker whose chunk is done sits idle while another one still has files queued.
// Rejected by: a_slow_file_does_not_hold_up_the_others
// Message contains: those files were queued behind the slow one
// Cause: batches
// Removes: fn worker, fn in_input_order

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    if paths.is_empty() {
        return Vec::new();
    }
    let chunk = paths.len().div_ceil(workers.get());
    let read = &read;
    thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|files| {
                scope.spawn(move || files.iter().map(|path| read(path)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a reader panicked"))
            .collect()
    })
}
