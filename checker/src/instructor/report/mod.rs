//! `checker report`: one checking run, written in the formats that CI
//! dashboards, GitHub Classroom, Exercism and instructors read.
//!
//! Every format is built from [`model::CourseReport`], the versioned JSON
//! document (`checker/schema/report-v4.schema.json`), so they cannot disagree.

mod classroom;
mod exercism;
mod junit;
mod markdown;
pub mod model;

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::ValueEnum;

use crate::engine::check::Report;
use crate::engine::manifest::Course;

pub use model::CourseReport;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The course's own versioned JSON (schema: checker/schema/report-v4.schema.json).
    Json,
    /// JUnit XML: one <testsuite> per exercise, for CI dashboards.
    Junit,
    /// GitHub Classroom autograding result (version 1).
    Classroom,
    /// Exercism test-runner results.json (version 2).
    Exercism,
    /// A Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set).
    Markdown,
    /// A self-contained page for the student, with the timeline of each
    /// failing exercise.
    Html,
}

/// Who and what the report is about.
pub struct Meta {
    pub student: Option<String>,
}

/// Builds the report of one checking run and renders it.
pub fn render(format: Format, course: &Course, reports: &[Report], meta: &Meta) -> Result<String> {
    let report = CourseReport::new(
        reports,
        &course.info.title,
        meta.student.clone(),
        commit_of(&course.root),
    );
    render_report(format, &report, &suite_files(course))
}

/// Each exercise's graded suite as the course has it (`tests/ex02/main.rs`
/// for a folder, `tests/ex01.rs` for a file), by exercise id, with `/`
/// separators on every system: formats that name a file use these.
pub fn suite_files(course: &Course) -> BTreeMap<String, String> {
    course
        .exercises
        .iter()
        .map(|e| {
            let parts: Vec<String> = e
                .suite(&course.root)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            (e.id.clone(), parts.join("/"))
        })
        .collect()
}

/// Renders a report in `format`; `suites` names each exercise's suite file
/// (see [`suite_files`]).
pub fn render_report(
    format: Format,
    report: &CourseReport,
    suites: &BTreeMap<String, String>,
) -> Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(report)? + "\n",
        Format::Junit => junit::render(report)?,
        Format::Classroom => serde_json::to_string_pretty(&classroom::from(report, suites))? + "\n",
        Format::Exercism => serde_json::to_string_pretty(&exercism::from(report))? + "\n",
        Format::Markdown => markdown::render(report),
        Format::Html => crate::instructor::html::student_page(report),
    })
}

/// Writes the rendered report to `output`, or hands it back for standard
/// output when `None`; a Markdown summary is also appended to GitHub's step
/// summary when running there.
pub fn write(format: Format, text: &str, output: Option<&Path>) -> Result<Option<String>> {
    let stdout = match output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            None
        }
        None => Some(text.to_string()),
    };
    if format == Format::Markdown {
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").map(PathBuf::from) {
            let mut file = OpenOptions::new()
                .append(true)
                .create(true)
                .open(&summary)
                .with_context(|| {
                    format!("cannot open $GITHUB_STEP_SUMMARY ({})", summary.display())
                })?;
            file.write_all(text.as_bytes())
                .with_context(|| format!("cannot append to {}", summary.display()))?;
        }
    }
    Ok(stdout)
}

/// The commit the course is at, when it is a git checkout and git is installed.
fn commit_of(root: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !commit.is_empty()).then_some(commit)
}
