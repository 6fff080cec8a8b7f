// Mistake: opens the file on the runtime's thread (`File::open(&path)?` before `spawn_blocking`) and only reads inside `spawn_blocking`: opening blocks too (a pipe until its writer comes, a slow disk, a network share), and the runtime freezes meanwhile.
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: it opened the file on the runtime's own thread
// Cause: blocking-in-async

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    // Only the reading is slow, isn't it?
    let file = File::open(&path)?;
    task::spawn_blocking(move || {
        BufReader::new(file)
            .lines()
            .try_fold(0, |count, line| line.map(|_| count + 1))
    })
    .await?
}
