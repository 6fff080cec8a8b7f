// Mistake: a rayon pool of `workers` threads with a plain `par_iter`: rayon hands each thread a batch of files, so a slow file holds up the one queued behind it.
// Rejected by: a_slow_file_does_not_hold_up_the_others
// Message contains: those files were queued behind the slow one
// Cause: batches
// Removes: fn worker, fn in_input_order

use rayon::prelude::*;

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.get())
        .build()
        .expect("rayon could not start its threads");
    pool.install(|| paths.par_iter().map(|path| read(path)).collect())
}
