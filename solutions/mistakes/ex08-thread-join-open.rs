// Mistake: counts the lines on a `std::thread::spawn`ed thread of its own (opening and reading there, as it should), but `join()`s that thread inside the async fn, so the runtime's thread blocks until the counting is done. (The helper thread inherits the runtime thread's name: the grader must tell them apart by id, not say the file was opened on the runtime's thread.)
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: while another thread waited to open the named pipe
// Cause: blocking-in-async

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    let counting = std::thread::spawn(move || {
        BufReader::new(File::open(&path)?)
            .lines()
            .try_fold(0, |count, line| line.map(|_| count + 1))
    });
    // Waits on the runtime's thread: nothing else runs meanwhile.
    counting
        .join()
        .map_err(|_| io::Error::other("the counting thread panicked"))?
}
