// Mistake: reads one file after another on the calling thread, ignoring `workers`.
// Rejected by: four_workers_read_ten_files_together
// Message contains: read one after another

use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

pub fn read_all(paths: &[PathBuf], workers: NonZeroUsize) -> Vec<io::Result<String>> {
    read_all_with(paths, workers, |path| std::fs::read_to_string(path))
}

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
