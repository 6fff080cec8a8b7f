//! `checker reset`: puts the untouched stub back, keeping a backup.

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::manifest::{Course, Exercise};

pub fn reset(course: &Course, exercise: &Exercise, yes: bool) -> Result<String> {
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
    if !yes && !confirm(exercise)? {
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

fn confirm(exercise: &Exercise) -> Result<bool> {
    if !io::stdin().is_terminal() {
        bail!(
            "reset would replace {} and there is no terminal to ask: add --yes to confirm",
            exercise.student_file().display()
        );
    }
    print!(
        "Replace {} with the untouched stub? Your version is kept as a backup. [y/N] ",
        exercise.student_file().display()
    );
    io::stdout().flush()?;
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
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
