// Mistake: counts the '\n' bytes of the file, so a last line without a newline is not counted.
// Rejected by: count_lines_counts_the_lines_of_a_file
// Message contains: a last line without
// Cause: none

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    task::spawn_blocking(move || {
        let bytes = std::fs::read(path)?;
        Ok(bytes.iter().filter(|&&b| b == b'\n').count())
    })
    .await?
}
