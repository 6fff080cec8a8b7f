// Mistake: reads one file after another on the calling thread, ignoring `workers`.
// Rejected by: four_workers_read_ten_files_together
// Message contains: read one after another
// Cause: sequential
// Observed peak: 1
// Observed busy: worker 1
// Observed empty: worker 2, worker 3, worker 4
// Removes: fn worker, fn in_input_order

pub fn read_all_with<F>(
    paths: &[PathBuf],
    _workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    paths.iter().map(|path| read(path)).collect()
}
