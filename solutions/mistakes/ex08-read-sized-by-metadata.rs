// Mistake: reads exactly as many bytes as the file's metadata says (`vec![0; len]` then `read_exact`), but a named pipe's size is always 0, so it reads nothing from it and counts no lines.
// Rejected by: count_lines_does_not_freeze_the_runtime
// Message contains: opened it and returned Ok(0), as if it had read nothing
// Cause: none

use std::io::Read;

pub async fn count_lines(path: PathBuf) -> io::Result<usize> {
    task::spawn_blocking(move || {
        let mut file = File::open(&path)?;
        // One read of the right size: no reallocation.
        let len = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
        let mut bytes = vec![0; len];
        file.read_exact(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).lines().count())
    })
    .await?
}
