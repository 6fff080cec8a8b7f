// Mistake: skips files whose size is 0 (`metadata().len() == 0` means "nothing to count", doesn't it?), but a named pipe's size is always 0: its lines arrive only once it is opened and read, so it counts none.
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: returned Ok(0) without ever opening it
// Cause: none

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    task::spawn_blocking(move || {
        // An empty file has no lines: no need to open it.
        if std::fs::metadata(&path)?.len() == 0 {
            return Ok(0);
        }
        BufReader::new(File::open(&path)?)
            .lines()
            .try_fold(0, |count, line| line.map(|_| count + 1))
    })
    .await?
}
