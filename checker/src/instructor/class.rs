//! `checker class`: many students' JSON reports rolled up for an instructor.
//!
//! Reports are data from students, so they are only ever parsed as JSON:
//! nothing in them is executed, and control characters are stripped before
//! anything reaches a terminal or a spreadsheet. A report that cannot be read
//! (malformed, truncated, oversized, another tool's JSON, another version) is
//! named with the reason and skipped; the others still count.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use serde::Serialize;

use crate::instructor::causes;
use crate::instructor::progress::{self, Point, Progress};
use crate::instructor::report::model::{self, CourseReport, ExerciseStatus, TestStatus};

/// Far above any real report (a full course is ~100 KiB): a bigger file is
/// not read at all.
pub const MAX_REPORT_BYTES: u64 = 4 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for a terminal.
    Text,
    Csv,
    Markdown,
    Json,
    /// A self-contained page: the matrix as a heat map, completion, points,
    /// the common mistakes (open it in a browser; prints well too).
    Html,
}

/// A report that was not counted, and why.
#[derive(Debug, Serialize)]
pub struct Skipped {
    pub file: PathBuf,
    pub reason: String,
}

/// What `checker class` computes.
#[derive(Debug, Serialize)]
pub struct Rollup {
    /// The course's title, as the reports give it (the newest report's, when
    /// they differ; "Course" when none says).
    pub course: String,
    pub students: Vec<StudentRow>,
    pub exercises: Vec<ExerciseColumn>,
    /// Failures whose diagnosis asserted a cause, grouped by cause.
    pub causes: Vec<causes::CauseGroup>,
    /// Tests failed by the most students without an asserted cause: the
    /// class's common mistakes.
    pub common_failures: Vec<CommonFailure>,
    pub skipped: Vec<Skipped>,
    /// How the class moved, when several folders (snapshots) were given.
    pub progress: Option<Progress>,
}

#[derive(Debug, Serialize)]
pub struct StudentRow {
    pub student: String,
    pub file: PathBuf,
    pub points: model::Points,
    /// Exercise id → status, for every exercise of the roll-up.
    pub statuses: BTreeMap<String, Option<ExerciseStatus>>,
}

#[derive(Debug, Serialize)]
pub struct ExerciseColumn {
    pub id: String,
    pub title: String,
    pub solved: usize,
    pub students: usize,
    /// solved / students, 0 to 1.
    pub completion: f64,
}

#[derive(Debug, Serialize)]
pub struct CommonFailure {
    pub exercise: String,
    pub test: String,
    pub students: usize,
    /// The diagnosis most of these students got (its first lines).
    pub message: Option<String>,
}

/// Reads the reports in `inputs` (files, or folders whose `*.json` files are
/// read). Two or more folders are snapshots of the class over time: the
/// roll-up counts each student's newest report, and [`Rollup::progress`]
/// shows how the class moved.
pub fn rollup(inputs: &[PathBuf]) -> Result<Rollup> {
    let mut files = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(input)
                .with_context(|| format!("cannot read the folder {}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            files.extend(found.into_iter().map(|f| (i, f)));
        } else {
            files.push((i, input.clone()));
        }
    }
    let mut skipped = Vec::new();
    let mut history = Vec::new();
    let mut by_student: HashMap<String, (usize, PathBuf, CourseReport)> = HashMap::new();
    for (input, file) in files {
        match read_report(&file) {
            Err(reason) => skipped.push(Skipped { file, reason }),
            Ok(report) => {
                let student = clean(&report.student.clone().unwrap_or_else(|| {
                    file.file_stem()
                        .map_or("?".into(), |s| s.to_string_lossy().into_owned())
                }));
                if let Some(point) = progress_point(input, &student, &report) {
                    history.push(point);
                }
                // Two reports of one student: the newer one counts. Across
                // snapshots that is the course of time, not worth a word.
                match by_student.get(&student) {
                    Some((old_input, old_file, old)) if old.generated_at >= report.generated_at => {
                        if *old_input == input {
                            skipped.push(Skipped {
                                file,
                                reason: format!(
                                    "a newer report of {student} is counted ({})",
                                    old_file.display()
                                ),
                            });
                        }
                    }
                    Some((old_input, old_file, _)) => {
                        if *old_input == input {
                            skipped.push(Skipped {
                                file: old_file.clone(),
                                reason: format!(
                                    "a newer report of {student} is counted ({})",
                                    file.display()
                                ),
                            });
                        }
                        by_student.insert(student, (input, file, report));
                    }
                    None => {
                        by_student.insert(student, (input, file, report));
                    }
                }
            }
        }
    }
    if by_student.is_empty() {
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("  {}: {}", s.file.display(), s.reason))
            .collect();
        bail!(
            "no report could be read{}{}",
            if reasons.is_empty() {
                " (no .json file given)"
            } else {
                ":\n"
            },
            reasons.join("\n")
        );
    }
    let by_student = by_student
        .into_iter()
        .map(|(student, (_, file, report))| (student, (file, report)))
        .collect();
    let mut rollup = summarise(by_student, skipped);
    let folders = inputs.iter().filter(|i| i.is_dir()).count();
    if folders >= 2 {
        let sources: Vec<String> = inputs.iter().map(|i| i.display().to_string()).collect();
        let order: Vec<String> = rollup.exercises.iter().map(|e| e.id.clone()).collect();
        rollup.progress = progress::compute(&sources, &history, &order);
    }
    Ok(rollup)
}

/// What progress needs of a report; none when its time cannot be read.
fn progress_point(snapshot: usize, student: &str, report: &CourseReport) -> Option<Point> {
    Some(Point {
        snapshot,
        student: student.to_string(),
        at: chrono::DateTime::parse_from_rfc3339(&report.generated_at).ok()?,
        solved: report
            .exercises
            .iter()
            .filter(|e| e.status == ExerciseStatus::Solved)
            .map(|e| clean(&e.id))
            .collect(),
    })
}

/// Reads one report, or says in one line why it cannot be counted.
fn read_report(path: &Path) -> Result<CourseReport, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_REPORT_BYTES {
        return Err(format!(
            "oversized: {size} bytes (a report is at most {MAX_REPORT_BYTES} bytes); not read"
        ));
    }
    let mut text = String::new();
    file.take(MAX_REPORT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("not UTF-8 text: {e}"))?;
    parse_report(&text)
}

/// Parses one report's text, or says in one line why it cannot be counted
/// (also used by `class fetch` on a downloaded report before it is kept).
pub fn parse_report(text: &str) -> Result<CourseReport, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            format!("truncated: the JSON ends early ({e})")
        } else {
            format!("malformed JSON: {e}")
        }
    })?;
    let schema = value.get("schema").and_then(|s| s.as_str());
    if schema != Some(model::SCHEMA_NAME) {
        return Err(format!(
            "not a course report (its \"schema\" is {}, expected \"{}\")",
            schema.map_or("missing".to_string(), |s| format!("\"{}\"", clean(s))),
            model::SCHEMA_NAME
        ));
    }
    let version = value.get("schema_version").and_then(|v| v.as_u64());
    let readable = version
        .and_then(|v| u32::try_from(v).ok())
        .is_some_and(|v| model::READABLE_VERSIONS.contains(&v));
    if !readable {
        let known: Vec<String> = model::READABLE_VERSIONS
            .iter()
            .map(u32::to_string)
            .collect();
        return Err(format!(
            "report version {} but this checker reads versions {}: regenerate it with this course's checker",
            version.map_or("missing".to_string(), |v| v.to_string()),
            known.join(" and ")
        ));
    }
    let report: CourseReport = serde_json::from_value(value)
        .map_err(|e| format!("not a valid version-{} report: {e}", version.unwrap_or(0)))?;
    let earned: u32 = report.exercises.iter().map(|e| e.points.earned).sum();
    let inconsistent = report
        .exercises
        .iter()
        .any(|e| e.points.earned > e.points.possible)
        || earned != report.points.earned;
    if inconsistent {
        return Err("inconsistent points (edited by hand?)".into());
    }
    Ok(report)
}

fn summarise(
    by_student: HashMap<String, (PathBuf, CourseReport)>,
    skipped: Vec<Skipped>,
) -> Rollup {
    let mut reports: Vec<(String, PathBuf, CourseReport)> = by_student
        .into_iter()
        .map(|(name, (file, report))| (name, file, report))
        .collect();
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    // Columns in course order, as the reports list them.
    let mut columns: Vec<(String, String)> = Vec::new();
    for (_, _, r) in &reports {
        for e in &r.exercises {
            if !columns.iter().any(|(id, _)| *id == e.id) {
                columns.push((clean(&e.id), clean(&e.title)));
            }
        }
    }
    // (exercise, test) -> students failing it, and how often each diagnosis came.
    let mut failures: HashMap<(String, String), (usize, HashMap<String, usize>)> = HashMap::new();
    let students: Vec<StudentRow> = reports
        .iter()
        .map(|(name, file, r)| {
            // A not-started exercise fails every test at a `todo!()`: no mistake there.
            for e in r
                .exercises
                .iter()
                .filter(|e| e.status != ExerciseStatus::NotStarted)
            {
                // A failure that asserts a cause is counted under its cause.
                for t in e
                    .tests
                    .iter()
                    .filter(|t| t.status == TestStatus::Failed && t.cause.is_none())
                {
                    let entry = failures.entry((clean(&e.id), clean(&t.name))).or_default();
                    entry.0 += 1;
                    if let Some(m) = t.message.as_deref().map(diagnosis) {
                        *entry.1.entry(m).or_default() += 1;
                    }
                }
            }
            StudentRow {
                student: name.clone(),
                file: file.clone(),
                points: r.points,
                statuses: columns
                    .iter()
                    .map(|(id, _)| {
                        let status = r.exercises.iter().find(|e| &e.id == id).map(|e| e.status);
                        (id.clone(), status)
                    })
                    .collect(),
            }
        })
        .collect();
    let exercises = columns
        .iter()
        .map(|(id, title)| {
            let with = students.iter().filter(|s| s.statuses[id].is_some()).count();
            let solved = students
                .iter()
                .filter(|s| s.statuses[id] == Some(ExerciseStatus::Solved))
                .count();
            ExerciseColumn {
                id: id.clone(),
                title: title.clone(),
                solved,
                students: with,
                completion: if with == 0 {
                    0.0
                } else {
                    solved as f64 / with as f64
                },
            }
        })
        .collect();
    let mut common_failures: Vec<CommonFailure> = failures
        .into_iter()
        .map(|((exercise, test), (students, messages))| CommonFailure {
            exercise,
            test,
            students,
            message: messages
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(m, _)| m),
        })
        .collect();
    common_failures.sort_by(|a, b| {
        b.students
            .cmp(&a.students)
            .then_with(|| a.exercise.cmp(&b.exercise))
            .then_with(|| a.test.cmp(&b.test))
    });
    common_failures.truncate(10);
    let course = reports
        .iter()
        .filter(|(_, _, r)| r.course.is_some())
        .max_by(|a, b| a.2.generated_at.cmp(&b.2.generated_at))
        .map_or_else(|| "Course".to_string(), |(_, _, r)| clean(r.course_title()));
    Rollup {
        course,
        causes: causes::group(reports.iter().map(|(name, _, r)| (name.as_str(), r))),
        students,
        exercises,
        common_failures,
        skipped,
        progress: None,
    }
}

/// A diagnosis as the roll-up shows it: its first lines, without the
/// harness's noise, cleaned.
fn diagnosis(message: &str) -> String {
    let lines: Vec<String> = message
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("test failed at "))
        .take(6)
        .map(clean)
        .collect();
    lines.join("\n")
}

/// Control characters (terminal escapes) never reach the output.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

fn cell(status: Option<ExerciseStatus>) -> &'static str {
    match status {
        None => "",
        Some(ExerciseStatus::Solved) => "solved",
        Some(ExerciseStatus::NotStarted) => "-",
        Some(ExerciseStatus::Failing) => "failing",
        Some(ExerciseStatus::DoesNotCompile) => "no build",
        Some(ExerciseStatus::FileMissing) => "no file",
        Some(ExerciseStatus::TimedOut) => "timed out",
        Some(ExerciseStatus::Crashed) => "crashed",
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub fn render(rollup: &Rollup, format: Format) -> Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(rollup)? + "\n",
        Format::Csv => csv(rollup),
        Format::Markdown => markdown(rollup),
        Format::Text => text(rollup),
        Format::Html => crate::instructor::html::class_page(
            rollup,
            &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
    })
}

fn csv(r: &Rollup) -> String {
    let mut out = String::new();
    let mut header = vec!["student".to_string()];
    header.extend(r.exercises.iter().map(|e| e.id.clone()));
    header.extend(["points".into(), "possible".into()]);
    push_csv(&mut out, &header);
    for s in &r.students {
        let mut row = vec![s.student.clone()];
        row.extend(r.exercises.iter().map(|e| {
            s.statuses[&e.id].map_or(String::new(), |st| {
                serde_json::to_value(st)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
        }));
        row.extend([s.points.earned.to_string(), s.points.possible.to_string()]);
        push_csv(&mut out, &row);
    }
    let mut rate = vec!["completion".to_string()];
    rate.extend(r.exercises.iter().map(|e| format!("{:.2}", e.completion)));
    push_csv(&mut out, &rate);
    out
}

/// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is defused so a
/// spreadsheet never evaluates a student's name as a formula.
fn push_csv(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields
        .iter()
        .map(|f| {
            let f = if f.starts_with(['=', '+', '-', '@']) && f.parse::<f64>().is_err() {
                format!("'{f}")
            } else {
                f.clone()
            };
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

fn markdown(r: &Rollup) -> String {
    let esc = |t: &str| t.replace('|', "\\|");
    let mut out = String::from("## Class progress\n\n| Student |");
    for e in &r.exercises {
        let _ = write!(out, " {} |", esc(&e.id));
    }
    out.push_str(" Points |\n|---|");
    out.push_str(&"---|".repeat(r.exercises.len()));
    out.push_str("---:|\n");
    for s in &r.students {
        let _ = write!(out, "| {} |", esc(&s.student));
        for e in &r.exercises {
            let _ = write!(out, " {} |", cell(s.statuses[&e.id]));
        }
        let _ = writeln!(out, " {}/{} |", s.points.earned, s.points.possible);
    }
    out.push_str("| **completion** |");
    for e in &r.exercises {
        let _ = write!(out, " {} |", percent(e.completion));
    }
    let _ = writeln!(out, " |\n\n{}", totals(r));
    out.push_str(&causes::markdown(&r.causes));
    if !r.common_failures.is_empty() {
        out.push_str(
            "\n### Tests failed most often\n\n| Exercise | Test | Students |\n|---|---|---:|\n",
        );
        for f in &r.common_failures {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |",
                esc(&f.exercise),
                esc(&f.test),
                f.students
            );
        }
    }
    if let Some(p) = &r.progress {
        let _ = write!(
            out,
            "\n### Progress over time\n\n```\n{}```\n",
            p.text(&exercise_ids(r))
        );
    }
    out
}

fn text(r: &Rollup) -> String {
    let name_width = r
        .students
        .iter()
        .map(|s| s.student.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let col = |e: &ExerciseColumn| e.id.chars().count().max(9);
    let mut out = format!("{:<name_width$}", "student");
    for e in &r.exercises {
        let _ = write!(out, "  {:<w$}", e.id, w = col(e));
    }
    out.push_str("  points\n");
    for s in &r.students {
        let _ = write!(out, "{:<name_width$}", s.student);
        for e in &r.exercises {
            let _ = write!(out, "  {:<w$}", cell(s.statuses[&e.id]), w = col(e));
        }
        let _ = writeln!(out, "  {}/{}", s.points.earned, s.points.possible);
    }
    let _ = write!(out, "{:<name_width$}", "completion");
    for e in &r.exercises {
        let _ = write!(out, "  {:<w$}", percent(e.completion), w = col(e));
    }
    let _ = writeln!(out, "\n\n{}", totals(r));
    if !r.common_failures.is_empty() || !r.causes.is_empty() {
        out.push_str("\nTests failed most often (the class's common mistakes):\n");
        out.push_str(&causes::text(&r.causes));
        for f in &r.common_failures {
            let _ = writeln!(out, "  {:>3} × {} {}", f.students, f.exercise, f.test);
        }
    }
    if let Some(p) = &r.progress {
        out.push('\n');
        out.push_str(&p.text(&exercise_ids(r)));
    }
    out
}

fn exercise_ids(r: &Rollup) -> Vec<String> {
    r.exercises.iter().map(|e| e.id.clone()).collect()
}

fn totals(r: &Rollup) -> String {
    let n = r.students.len();
    let earned: u32 = r.students.iter().map(|s| s.points.earned).sum();
    let possible: u32 = r.students.iter().map(|s| s.points.possible).sum();
    let solved: usize = r.exercises.iter().map(|e| e.solved).sum();
    let cells: usize = r.exercises.iter().map(|e| e.students).sum();
    format!(
        "{n} student{}, {solved} of {cells} exercises solved, average {:.1} of {:.1} points{}",
        if n == 1 { "" } else { "s" },
        f64::from(earned) / n as f64,
        f64::from(possible) / n as f64,
        if r.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} report(s) skipped", r.skipped.len())
        }
    )
}
