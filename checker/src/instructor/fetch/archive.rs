//! The report inside an artifact's zip. Only the one entry named
//! `report.json` at the zip's root is read, into memory, with a cap: no
//! entry's name is ever used as a path (so `../../evil` cannot escape the
//! output folder), nothing is written but the checked report, and nothing
//! in the archive is executed.

use std::io::{Cursor, Read};

use crate::instructor::class::MAX_REPORT_BYTES;

/// The report's bytes, or one line on why the zip holds none.
pub fn report_in(zip: &[u8], file: &str) -> Result<Vec<u8>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))
        .map_err(|e| format!("the artifact is not a readable zip ({e})"))?;
    let Some(index) = archive.index_for_name(file) else {
        let names: Vec<String> = archive
            .file_names()
            .take(5)
            .map(|n| super::github::clean(n, 80))
            .collect();
        return Err(format!(
            "the artifact holds no {file} (it holds {}{})",
            if names.is_empty() {
                "nothing".to_string()
            } else {
                names.join(", ")
            },
            if archive.len() > 5 { ", …" } else { "" }
        ));
    };
    let mut entry = archive
        .by_index(index)
        .map_err(|e| format!("cannot read {file} in the artifact ({e})"))?;
    // The declared size can lie: the read is capped whatever it says.
    if entry.size() > MAX_REPORT_BYTES {
        return Err(format!(
            "{file} in the artifact is {} bytes (a report is at most {MAX_REPORT_BYTES}); not read",
            entry.size()
        ));
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(MAX_REPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot unpack {file} from the artifact ({e})"))?;
    if bytes.len() as u64 > MAX_REPORT_BYTES {
        return Err(format!(
            "{file} in the artifact unpacks to over {MAX_REPORT_BYTES} bytes; not read"
        ));
    }
    Ok(bytes)
}
