// Mistake: reads the file with `std::fs` directly inside the async fn, so the runtime's thread blocks while the file is opened and read.
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: it opened the file on the runtime's own thread
// Cause: blocking-in-async

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    Ok(std::fs::read_to_string(path)?.lines().count())
}
