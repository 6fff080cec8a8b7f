// Mistake: wraps the error from `File::open` in a new one with the path for context (`io::Error::other`), so a missing file gives an error of kind `Other` instead of `NotFound`, and the caller can no longer tell what went wrong.
// Rejected by: count_lines_reports_a_missing_file
// Message contains: expected NotFound
// Cause: error-swallowed

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    task::spawn_blocking(move || {
        let file = File::open(&path)
            .map_err(|e| io::Error::other(format!("cannot open {}: {e}", path.display())))?;
        BufReader::new(file)
            .lines()
            .try_fold(0, |count, line| line.map(|_| count + 1))
    })
    .await?
}
