// Mistake: joins each worker in the same lazy iterator chain that spawns it (`.map(spawn).flat_map(join)`), so each worker is joined before the next one is started: the first worker reads every file while the others wait to be born.
// Rejected by: four_workers_read_ten_files_together
// Message contains: one thread of yours read all 10 files
// Cause: sequential
// Observed peak: 1

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let threads = workers.get().min(paths.len());
    let next = AtomicUsize::new(0);
    let done = thread::scope(|scope| {
        (0..threads)
            .map(|_| scope.spawn(|| worker(paths, &next, &read)))
            .flat_map(|handle| match handle.join() {
                Ok(done) => done,
                Err(payload) => panic::resume_unwind(payload),
            })
            .collect()
    });
    in_input_order(paths.len(), done)
}
