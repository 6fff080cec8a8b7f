//! `checker dev soak`: runs every reference solution's suite many times in a
//! row with one core kept busy (and, with `--jobs`, several suites at once;
//! exclusive ones always alone, as the student's check runs them),
//! to show the graders never fail a correct solution on a loaded machine:
//! flaky timing would show up here first.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::Result;

use crate::author::candidates::{self, Expect};
use crate::author::verify::{build_rounds, BuildItem};
use crate::engine::event::Event;
use crate::engine::libtest::Outcome;
use crate::engine::manifest::Course;
use crate::engine::schedule;
use crate::engine::scratch::Scratch;
use crate::engine::suite_run;
use crate::engine::verdict;

pub struct Options {
    pub only: Vec<String>,
    pub runs: usize,
    /// Keep one core busy with a spinning thread while the suites run.
    pub load: bool,
    /// Reference suites running at the same time.
    pub jobs: usize,
    /// Name of the scratch copy under the target folder.
    pub scratch: String,
    pub target_dir: Option<std::path::PathBuf>,
}

/// One exercise's soak.
#[derive(Debug, Clone)]
pub struct Row {
    pub exercise: String,
    pub passed: usize,
    pub failed: usize,
    /// Sorted run times.
    pub times: Vec<Duration>,
    /// The first failure: test and message, or why the suite did not finish.
    pub first_failure: Option<String>,
}

/// Soaks the references; `on` hears the builds, and each exercise's row as
/// it is known (`Event::Done`). Returns whether every run passed.
pub fn soak(course: &Course, options: &Options, on: &(dyn Fn(Event<Row>) + Sync)) -> Result<bool> {
    let exercises = course.select(&options.only)?;
    let mut sources = Vec::new();
    for e in &exercises {
        let reference = candidates::for_exercise(&course.root, e)?
            .into_iter()
            .find(|c| c.expect == Expect::AllPass)
            .expect("every exercise has a reference");
        sources.push(reference.source(&course.root, e)?);
    }
    let target_dir = options
        .target_dir
        .clone()
        .unwrap_or_else(|| course.root.join("target"));
    let scratch = Scratch::sync(
        course,
        &target_dir.join("scratch").join(&options.scratch),
        &options.scratch,
        &target_dir,
    )?;
    let items: Vec<_> = exercises
        .iter()
        .zip(&sources)
        .map(|(e, s)| BuildItem {
            exercise: e,
            source: s,
            kept_as: scratch.bins.join(format!("{}-soak", e.id)),
        })
        .collect();
    let mut binaries: Vec<Result<std::path::PathBuf, String>> =
        vec![Err("not built".into()); items.len()];
    build_rounds(&scratch, &items, on, &mut |i, binary| binaries[i] = binary)?;

    let stop = AtomicBool::new(false);
    let all_passed = AtomicBool::new(true);
    let soak_exercise = |i: usize| -> Result<()> {
        let e = exercises[i];
        let result = match &binaries[i] {
            Err(_) => Row {
                exercise: e.id.clone(),
                passed: 0,
                failed: options.runs,
                times: Vec::new(),
                first_failure: Some("the reference does not compile".into()),
            },
            Ok(binary) => soak_one(e, binary, &scratch, options.runs)?,
        };
        if result.failed > 0 {
            all_passed.store(false, Ordering::SeqCst);
        }
        on(Event::Done(result));
        Ok(())
    };
    thread::scope(|s| -> Result<()> {
        if options.load {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            });
        }
        // The same rule as the student's check: exclusive suites alone.
        let outcome = schedule::run_all(
            exercises.iter().enumerate().map(|(i, e)| (i, e.exclusive)),
            options.jobs,
            &soak_exercise,
        );
        stop.store(true, Ordering::Relaxed);
        outcome
    })?;
    for b in binaries.into_iter().flatten() {
        let _ = std::fs::remove_file(b);
    }
    Ok(all_passed.load(Ordering::SeqCst))
}

fn soak_one(
    e: &crate::engine::manifest::Exercise,
    binary: &std::path::Path,
    scratch: &Scratch,
    runs: usize,
) -> Result<Row> {
    let dir = scratch.course.join(&e.path);
    let limit = Duration::from_secs(e.limit_secs);
    let mut row = Row {
        exercise: e.id.clone(),
        passed: 0,
        failed: 0,
        times: Vec::new(),
        first_failure: None,
    };
    for _ in 0..runs {
        let run = suite_run::run_suite(binary, &dir, limit)?;
        row.times.push(run.elapsed);
        match verdict::finished_tests(&run) {
            Ok(tests) if tests.iter().all(|t| t.outcome == Outcome::Passed) => row.passed += 1,
            outcome => {
                row.failed += 1;
                if row.first_failure.is_none() {
                    row.first_failure = Some(match outcome {
                        Ok(tests) => tests
                            .iter()
                            .find(|t| t.outcome != Outcome::Passed)
                            .map(|t| format!("{}: {}", t.name, t.message))
                            .unwrap_or_default(),
                        Err(status) => format!("{status:?}"),
                    });
                }
            }
        }
    }
    row.times.sort();
    Ok(row)
}

/// The table's header.
pub fn header(options: &Options) -> String {
    format!(
        "{} run{} of each reference suite{}{}:\n{:<6} {:>6} {:>6}   {:>7} {:>7} {:>7}",
        options.runs,
        if options.runs == 1 { "" } else { "s" },
        if options.load {
            ", one core kept busy"
        } else {
            ""
        },
        if options.jobs > 1 {
            format!(", {} suites at once", options.jobs)
        } else {
            String::new()
        },
        "exer.",
        "passed",
        "failed",
        "min",
        "median",
        "max"
    )
}

/// One exercise's line (and its first failure).
pub fn render_row(row: &Row) -> String {
    let secs =
        |d: Option<&Duration>| d.map_or("-".to_string(), |d| format!("{:.2} s", d.as_secs_f64()));
    let mut out = format!(
        "{:<6} {:>6} {:>6}   {:>7} {:>7} {:>7}\n",
        row.exercise,
        row.passed,
        row.failed,
        secs(row.times.first()),
        secs(row.times.get(row.times.len() / 2)),
        secs(row.times.last())
    );
    if let Some(f) = &row.first_failure {
        out.push_str(&format!("       first failure: {f}\n"));
    }
    out
}
