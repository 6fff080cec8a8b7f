//! Checks a student's exercises: judges an untouched stub "not started"
//! without building its suite, reuses every verdict whose fingerprint is
//! unchanged, builds the other graded suites in one cargo call, runs them
//! (in parallel where that cannot change a verdict) and returns a report per
//! exercise. Progress comes out as [`Event`]s, each finished suite as
//! `Event::Done(exercise id)`; nothing here prints.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use crate::engine::cargo_build::{self, CompileError};
use crate::engine::event::Event;
use crate::engine::fingerprint;
use crate::engine::manifest::{Course, Exercise};
use crate::engine::schedule;
use crate::engine::suite_run;
use crate::engine::verdict::{self, Status, Verdict};
use crate::engine::verdict_cache::{self, Seen, VerdictCache};

/// One exercise's verdict, and what the student view needs around it.
#[derive(Debug, Clone)]
pub struct Report {
    pub exercise: Exercise,
    pub verdict: Verdict,
    /// The verdict was reused: nothing it depends on changed since.
    pub reused: bool,
    /// The student file differs from the untouched stub.
    pub touched: bool,
    /// Since when the student files have had their current content.
    pub changed_at: SystemTime,
}

impl Report {
    pub fn status(&self) -> &Status {
        &self.verdict.status
    }
}

pub struct Settings {
    /// Overrides each exercise's `limit_secs`.
    pub limit: Option<Duration>,
    /// Cargo's target folder (`None`: the course's own `target/`).
    pub target_dir: Option<PathBuf>,
    /// Suites run at the same time (exclusive ones always run alone).
    pub jobs: usize,
    /// Check again even where a verdict could be reused.
    pub fresh: bool,
    /// Build and run the suites of untouched stubs too, for their per-test
    /// outcomes (reports list every test); otherwise an untouched stub is
    /// "not started" at once, with no test listed.
    pub run_untouched_stubs: bool,
}

impl Settings {
    pub fn target_dir(&self, course: &Course) -> PathBuf {
        self.target_dir
            .clone()
            .unwrap_or_else(|| course.root.join("target"))
    }

    fn limit_of(&self, e: &Exercise) -> Duration {
        self.limit.unwrap_or(Duration::from_secs(e.limit_secs))
    }
}

/// An exercise waiting for its suite to be built and run.
struct Pending {
    index: usize,
    key: String,
    content: String,
}

/// Checks `exercises` of `course`; reports come back in course order.
pub fn check(
    course: &Course,
    exercises: &[&Exercise],
    settings: &Settings,
    events: &(dyn Fn(Event<String>) + Sync),
) -> Result<Vec<Report>> {
    let target_dir = settings.target_dir(course);
    let state = verdict_cache::state_dir(&target_dir, &course.root);
    let cache = VerdictCache::new(&state);
    let mut seen = Seen::load(&state);
    let shared = fingerprint::shared(course);
    let mut slots: Vec<Option<Report>> = vec![None; exercises.len()];
    let mut pending = Vec::new();
    for (index, e) in exercises.iter().enumerate() {
        let student = course.root.join(e.student_file());
        let modified = fs::metadata(&student).and_then(|m| m.modified()).ok();
        let content = fingerprint::student_content(&course.root, e);
        let changed_at = seen.observe(&e.id, &content, modified);
        let stub = fs::read(course.root.join(e.stub()));
        let now = fs::read(&student);
        let touched = match (&now, &stub) {
            (Ok(now), Ok(stub)) => now != stub,
            (Err(_), _) => true,
            (Ok(_), Err(_)) => false,
        };
        // Byte for byte the committed stub: `dev verify` proves every stub
        // stops at a `todo!()` in every test of its suite, so the verdict is
        // known without building anything. Only the student file is
        // compared: the crate's manifest and any other file are the
        // course's, and a module file the stub does not declare is not
        // compiled.
        let untouched_stub = matches!((&now, &stub), (Ok(now), Ok(stub)) if now == stub);
        let key = fingerprint::verdict_key(course, e, &shared, settings.limit_of(e).as_secs());
        let report = |verdict: Verdict, reused: bool| Report {
            exercise: (*e).clone(),
            verdict,
            reused,
            touched,
            changed_at,
        };
        if !student.is_file() {
            slots[index] = Some(report(
                Verdict::of_status(Status::MissingFile(e.student_file())),
                false,
            ));
        } else if untouched_stub && !settings.run_untouched_stubs {
            // Judged at once, even with `--fresh`: nothing is reused here.
            slots[index] = Some(report(Verdict::of_status(Status::NotStarted), false));
        } else if let Some(verdict) = cache.get(&e.id, &key).filter(|_| !settings.fresh) {
            slots[index] = Some(report(verdict, true));
        } else {
            if seen.stale_for_cargo(&e.id, &content, modified) {
                touch_student_files(&course.root, e)?;
            }
            pending.push(Pending {
                index,
                key,
                content,
            });
            slots[index] = Some(report(Verdict::of_status(Status::NotStarted), false));
        }
    }
    if !pending.is_empty() {
        let ids: Vec<&str> = pending
            .iter()
            .map(|p| exercises[p.index].id.as_str())
            .collect();
        events(Event::Building {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            round: None,
        });
        let started = SystemTime::now();
        let built = cargo_build::build_tests(
            &course.root,
            &target_dir,
            &ids,
            cargo_build::Flavour::Student,
            &|p| {
                events(Event::BuildProgress(p));
            },
        )?;
        for p in &pending {
            seen.built(&exercises[p.index].id, &p.content, started);
        }
        seen.save();
        let mut runnable = Vec::new();
        for p in pending {
            let e = exercises[p.index];
            match built.executables.get(&e.id) {
                Some(exe) => runnable.push((p, exe.clone())),
                None => {
                    let error = built.errors.get(&e.id).cloned().unwrap_or(CompileError {
                        location: None,
                        message: "cargo built no test binary".into(),
                        rendered: String::new(),
                    });
                    let verdict = Verdict::of_status(Status::DoesNotCompile(error));
                    cache.put(&e.id, &p.key, &verdict);
                    if let Some(slot) = slots[p.index].as_mut() {
                        slot.verdict = verdict;
                    }
                }
            }
        }
        events(Event::Running {
            suites: runnable.len(),
            jobs: settings.jobs.max(1),
        });
        let verdicts = run_suites(course, exercises, settings, &runnable, events)?;
        for ((p, _), verdict) in runnable.iter().zip(verdicts) {
            cache.put(&exercises[p.index].id, &p.key, &verdict);
            if let Some(slot) = slots[p.index].as_mut() {
                slot.verdict = verdict;
            }
        }
    } else {
        seen.save();
    }
    Ok(slots
        .into_iter()
        .map(|s| s.expect("every slot filled"))
        .collect())
}

/// Runs the built suites as [`schedule`] says (shared ones a few at a time,
/// exclusive ones afterwards, alone). Verdicts come back in input order.
fn run_suites(
    course: &Course,
    exercises: &[&Exercise],
    settings: &Settings,
    runnable: &[(Pending, PathBuf)],
    events: &(dyn Fn(Event<String>) + Sync),
) -> Result<Vec<Verdict>> {
    let results: Vec<Mutex<Option<Verdict>>> = runnable.iter().map(|_| Mutex::new(None)).collect();
    let run_one = |i: usize| -> Result<()> {
        let (p, exe) = &runnable[i];
        let e = exercises[p.index];
        let run = suite_run::run_suite(exe, &course.root.join(&e.path), settings.limit_of(e))?;
        let verdict = verdict::classify(&run, &verdict::suite_order(&course.root, e));
        *results[i].lock().expect("no panic while held") = Some(verdict);
        events(Event::Done(e.id.clone()));
        Ok(())
    };
    schedule::run_all(
        (0..runnable.len()).map(|i| (i, exercises[runnable[i].0.index].exclusive)),
        settings.jobs,
        &run_one,
    )?;
    Ok(results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .expect("no panic while held")
                .expect("every suite ran")
        })
        .collect())
}

/// Gives the student's files a fresh timestamp, so that cargo (which
/// compares timestamps) rebuilds them. Only done when their content changed
/// while their timestamp did not move past the last build (`mv` restores).
fn touch_student_files(root: &Path, e: &Exercise) -> Result<()> {
    let now = SystemTime::now();
    for file in fingerprint::student_files(root, e) {
        let path = root.join(file);
        if let Ok(f) = fs::File::options().write(true).open(&path) {
            f.set_modified(now)
                .with_context(|| format!("cannot update the timestamp of {}", path.display()))?;
        }
    }
    Ok(())
}
