// Mistake: hands the reading to `spawn_blocking` but waits for it with `futures::executor::block_on` instead of `.await`, so the runtime's thread blocks until the job is done.
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: the runtime's thread was blocked waiting for that thread
// Cause: blocking-in-async

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    let job = task::spawn_blocking(move || {
        BufReader::new(File::open(&path)?)
            .lines()
            .try_fold(0, |count, line| line.map(|_| count + 1))
    });
    // Waits on the runtime's thread: nothing else runs meanwhile.
    futures::executor::block_on(job)?
}
