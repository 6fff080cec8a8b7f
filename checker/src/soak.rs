//! `checker soak`: runs every reference solution's suite many times in a row
//! with one core kept busy, to show the graders never fail a correct solution
//! on a loaded machine (flaky timing would show up here first).

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::Result;

use crate::candidates::{self, Expect};
use crate::check;
use crate::libtest::Outcome;
use crate::manifest::Course;
use crate::run;
use crate::scratch::Scratch;
use crate::verify::build_all;

pub struct Options {
    pub only: Vec<String>,
    pub runs: usize,
    /// Keep one core busy with a spinning thread while the suites run.
    pub load: bool,
    /// Name of the scratch copy under `target/`.
    pub scratch: String,
}

/// Returns whether every run of every reference suite passed.
pub fn soak(course: &Course, options: &Options) -> Result<bool> {
    let exercises = course.select(&options.only)?;
    let mut plans = Vec::new();
    for e in exercises {
        let reference: Vec<_> = candidates::for_exercise(&course.root, e)?
            .into_iter()
            .filter(|c| c.expect == Expect::AllPass)
            .collect();
        plans.push((e, reference));
    }
    let scratch = Scratch::sync(&course.root, &options.scratch, None)?;
    let prepared = build_all(course, &scratch, &plans)?;

    let stop = AtomicBool::new(false);
    let mut all_passed = true;
    thread::scope(|s| -> Result<()> {
        if options.load {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            });
        }
        let result = (|| -> Result<()> {
            println!(
                "{} runs of each reference suite{}:",
                options.runs,
                if options.load {
                    ", one core kept busy"
                } else {
                    ""
                }
            );
            println!(
                "{:<6} {:>6} {:>6}   {:>7} {:>7} {:>7}",
                "exer.", "passed", "failed", "min", "median", "max"
            );
            for p in &prepared {
                let Ok(binary) = &p.binary else {
                    println!("{:<6} the reference does not compile", p.exercise.id);
                    all_passed = false;
                    continue;
                };
                let dir = scratch.workspace.join(&p.exercise.path);
                let limit = Duration::from_secs(p.exercise.limit_secs);
                let (mut passed, mut times, mut first_failure) = (0, Vec::new(), None);
                for _ in 0..options.runs {
                    let run = run::run_suite(binary, &dir, limit)?;
                    times.push(run.elapsed);
                    match check::finished_tests(&run) {
                        Ok(tests) if tests.iter().all(|t| t.outcome == Outcome::Passed) => {
                            passed += 1;
                        }
                        _ if first_failure.is_some() => {}
                        Ok(tests) => {
                            first_failure = tests
                                .iter()
                                .find(|t| t.outcome != Outcome::Passed)
                                .map(|t| format!("{}: {}", t.name, t.message));
                        }
                        Err(status) => first_failure = Some(format!("{status:?}")),
                    }
                }
                times.sort();
                let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
                println!(
                    "{:<6} {:>6} {:>6}   {:>7} {:>7} {:>7}",
                    p.exercise.id,
                    passed,
                    options.runs - passed,
                    secs(times[0]),
                    secs(times[times.len() / 2]),
                    secs(times[times.len() - 1])
                );
                if let Some(f) = first_failure {
                    all_passed = false;
                    println!("       first failure: {f}");
                }
            }
            Ok(())
        })();
        stop.store(true, Ordering::Relaxed);
        result
    })?;
    Ok(all_passed)
}
