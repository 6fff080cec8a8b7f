// Mistake: opens the file inside `spawn_blocking` but reads it on the runtime's thread, so the runtime freezes while the reading waits for data.
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: froze the runtime while reading
// Cause: blocking-in-async

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    let file = task::spawn_blocking(move || File::open(&path)).await??;
    BufReader::new(file)
        .lines()
        .try_fold(0, |count, line| line.map(|_| count + 1))
}
