//! `checker reset`: puts the untouched stub back, keeping a backup.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::engine::manifest::{Course, Exercise};

/// Puts the stub back in place of `exercise`'s student file, keeping the
/// student's version as a backup. `confirm` asks the student (the caller
/// decides how: a prompt on a terminal, `--yes`, or a refusal).
pub fn reset(
    course: &Course,
    exercise: &Exercise,
    confirm: &mut dyn FnMut(&str) -> Result<bool>,
) -> Result<String> {
    let student = course.root.join(exercise.student_file());
    let stub_path = course.root.join(exercise.stub());
    let stub = fs::read(&stub_path).with_context(|| {
        format!(
            "cannot read the untouched stub {}",
            exercise.stub().display()
        )
    })?;
    let current = fs::read(&student).ok();
    if current.as_deref() == Some(stub.as_slice()) {
        return Ok(format!(
            "{} is already the untouched stub.",
            exercise.student_file().display()
        ));
    }
    let question = format!(
        "Replace {} with the untouched stub? Your version is kept as a backup.",
        exercise.student_file().display()
    );
    if !confirm(&question)? {
        return Ok("Nothing changed.".into());
    }
    let mut note = String::new();
    if let Some(current) = current {
        let backup = free_backup_name(&student);
        fs::write(&backup, current)
            .with_context(|| format!("cannot write the backup {}", backup.display()))?;
        note = format!(
            " Your version is kept in {}.",
            backup
                .strip_prefix(&course.root)
                .unwrap_or(&backup)
                .display()
        );
    }
    fs::write(&student, stub).with_context(|| format!("cannot write {}", student.display()))?;
    Ok(format!(
        "{} is the untouched stub again.{note}",
        exercise.student_file().display()
    ))
}

/// `lib.rs.bak`, or `lib.rs.bak.2`, `.3`, ... if taken: no backup is overwritten.
fn free_backup_name(file: &Path) -> PathBuf {
    let base = file.with_extension("rs.bak");
    if !base.exists() {
        return base;
    }
    (2..)
        .map(|n| file.with_extension(format!("rs.bak.{n}")))
        .find(|p| !p.exists())
        .expect("some number is free")
}
