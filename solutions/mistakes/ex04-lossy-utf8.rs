// Mistake: `read_all` reads the bytes and converts them with `String::from_utf8_lossy`, so a file that is not UTF-8 comes back as Ok with replacement characters instead of an InvalidData error.
// Rejected by: missing_and_invalid_files_get_their_own_errors
// Message contains: expected an error of kind InvalidData
// Cause: error-swallowed

pub fn read_all(paths: &[PathBuf], workers: NonZeroUsize) -> Vec<io::Result<String>> {
    read_all_with(paths, workers, |path| {
        let bytes = std::fs::read(path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    })
}
