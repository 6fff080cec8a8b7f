//! `checker dev verify`: proves the graders honest. On a scratch copy, every
//! untouched stub must fail every test (and say "not started"), every
//! reference must pass every test, every catalogued mistake must fail the
//! test it names with the diagnosis it names, and every test must reject at
//! least one catalogued mistake.
//!
//! Candidates are built a round at a time (one cargo call builds one
//! candidate of every exercise), then their suites run, several at once
//! where that cannot change a verdict. A candidate whose check held is not
//! checked again while nothing it depends on changes (its fingerprint
//! covers its source, the suite, the shared graders, the toolchain, the
//! checker and the options); a check that failed is always run again.
//!
//! Each candidate's test binary is kept (in the scratch copy's `bins`
//! folder) under the fingerprint of everything that goes into it (see
//! `fingerprint::binary_key`), and a later proof runs it again instead of
//! building it while that is unchanged: a proof run again with `--fresh` or
//! under `--load` re-runs every suite and builds only what changed. Kept
//! binaries of the exercises checked that the run did not plan are removed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::author::candidates::{self, Candidate, Expect};
use crate::author::judge::{self, first_lines, Judged};
use crate::engine::cargo_build;
use crate::engine::event::{self, Event};
use crate::engine::fingerprint::{self, Fingerprint};
use crate::engine::kept_bins::KeptBins;
use crate::engine::manifest::{Course, Exercise};
use crate::engine::schedule::{self, Schedule};
use crate::engine::scratch::Scratch;
use crate::engine::verdict_cache::{self, Store};

pub use crate::author::judge::{expectation, MISTAKE_BUDGET};

pub struct Options {
    pub only: Vec<String>,
    /// Real time one suite may run before it is killed (default: the
    /// exercise's `limit_secs`, the limit students have).
    pub limit: Option<Duration>,
    /// Runs of each mistake's suite: a mistake must be rejected every time.
    pub repeat: usize,
    /// Only this mistake (its file stem, e.g. `ex06-join-in-loop`), without
    /// the stub and the reference.
    pub only_mistake: Option<String>,
    /// Name of the scratch copy (two proofs with different names can run at once).
    pub scratch: String,
    /// Cargo target folder (default: the course's `target/`, shared with the
    /// student's builds: the dependencies are built once).
    pub target_dir: Option<PathBuf>,
    /// Suites run at the same time (exclusive exercises always run alone).
    pub jobs: usize,
    /// Check again even what held before and has not changed (the suites
    /// run again; a test binary kept from an earlier run is reused while
    /// nothing that goes into it changed).
    pub fresh: bool,
    /// Write each mistake's student-facing output as its snapshot instead of
    /// comparing (see `diagnoses`).
    pub accept_snapshots: bool,
    /// The machine is at rest (not `--load`): also hold what a student sees
    /// on an ordinary machine, each mistake's output against its snapshot
    /// and its verdict within [`MISTAKE_BUDGET`]. Under load these are not
    /// judged: a loaded machine may count overlaps differently and run
    /// slower; what must hold there, the verdict and every test's cause,
    /// still is.
    pub at_rest: bool,
}

/// One row of the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub exercise: String,
    /// `stub`, `reference`, `mistake <what>`, `setup`, `catalogue`, `every test`.
    pub label: String,
    pub expected: String,
    pub ok: bool,
    pub detail: String,
    /// The check held before and nothing it depends on changed since.
    pub reused: bool,
}

/// The proof's result.
pub struct Summary {
    pub rows: Vec<Row>,
    pub elapsed: Duration,
    /// Where the time went (empty when everything was reused).
    pub profile: Profile,
}

/// Where a proof's time went: what to attack to make it quicker.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Wall time of each cargo call (one per round).
    pub builds: Vec<Duration>,
    /// Wall time of each candidate's suite runs: (exercise, label, time).
    pub suites: Vec<(String, String, Duration)>,
    /// When the last build ended, counted from the proof's start.
    pub builds_done_at: Option<Duration>,
    /// Candidates whose test binary, kept from an earlier run, ran without
    /// a build.
    pub kept: usize,
}

impl Summary {
    pub fn held(&self) -> bool {
        self.rows.iter().all(|r| r.ok)
    }
}

/// A candidate in the plan.
struct Planned<'a> {
    exercise: &'a Exercise,
    candidate: Candidate,
    /// The complete student file, or why there is none.
    source: Result<String, String>,
    /// Decides whether its check held before (see the module's doc).
    key: String,
    /// Decides whether a test binary kept from before is this candidate's
    /// (with a source only).
    binary_key: Option<String>,
}

/// Runs the proof.
/// `on` hears the builds and runs, and each row, in table order, as
/// `Event::Done`.
pub fn verify(
    course: &Course,
    options: &Options,
    on: &(dyn Fn(Event<Row>) + Sync),
) -> Result<Summary> {
    let started = Instant::now();
    let exercises = course.select(&options.only)?;
    let target_dir = options
        .target_dir
        .clone()
        .unwrap_or_else(|| course.root.join("target"));
    let shared = fingerprint::shared(course);
    // Apart for each course folder: copies of the course that share the
    // target folder (the checker's tests, a fork's) name their candidates
    // alike, and one shared file per name would have them overwrite each
    // other's verdicts and re-run every time.
    let store = Store::new(verdict_cache::state_dir(&target_dir, &course.root).join("proof"));
    let scratch_dir = target_dir.join("scratch").join(&options.scratch);
    let build_settings = cargo_build::settings(&scratch_dir, cargo_build::Flavour::Proof);

    let mut leading_rows = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    for &exercise in &exercises {
        let list = match plan(course, exercise) {
            Ok(list) => list,
            Err(e) => {
                leading_rows.push(Row {
                    exercise: exercise.id.clone(),
                    label: "setup".into(),
                    expected: "files in place".into(),
                    ok: false,
                    detail: format!("{e:#}"),
                    reused: false,
                });
                continue;
            }
        };
        let list: Vec<Candidate> = match &options.only_mistake {
            Some(stem) => list
                .into_iter()
                .filter(|c| c.file.file_stem().is_some_and(|f| f == stem.as_str()))
                .collect(),
            None => {
                leading_rows.extend(catalogue(course, exercise, &list));
                list
            }
        };
        let limit = limit_of(options, exercise);
        let suite = Fingerprint::new("suite")
            .add_files(&course.root, &exercise.suite_files(&course.root))
            .finish();
        for mut candidate in list {
            if !options.at_rest && !options.accept_snapshots {
                candidate.snapshot = None;
            }
            if let Some(snapshot) = &mut candidate.snapshot {
                snapshot.accept = options.accept_snapshots;
            }
            // A mistake whose `// Cause:` line is missing or wrong fails
            // its own row, unbuilt; the rest of the exercise is checked.
            let source = candidate.cause.clone().and_then(|_| {
                candidate
                    .source(&course.root, exercise)
                    .map_err(|e| format!("{e:#}"))
            });
            let key = Fingerprint::new("candidate")
                .add_str(&shared)
                .add_str(&suite)
                .add_str(&exercise.id)
                .add_str(source.as_deref().unwrap_or("(no source)"))
                .add_str(&format!(
                    "{:?} {:?} {:?} {:?}",
                    candidate.expect, candidate.shape, candidate.cause, candidate.snapshot
                ))
                .add_str(&format!(
                    "{} {}",
                    limit.as_secs(),
                    runs_of(options, &candidate)
                ))
                .finish();
            let binary_key = source.as_ref().ok().map(|source| {
                fingerprint::binary_key(course, exercise, &shared, source, &build_settings)
            });
            planned.push(Planned {
                exercise,
                candidate,
                source,
                key,
                binary_key,
            });
        }
    }
    if let Some(stem) = &options.only_mistake {
        if planned.is_empty() {
            anyhow::bail!(
                "no mistake solutions/mistakes/{stem}.rs in the exercises checked \
                 (its file name without .rs, e.g. --mistake ex06-join-in-loop)"
            );
        }
    }
    on(Event::Planned(
        leading_rows
            .iter()
            .map(|r| event::Planned {
                exercise: r.exercise.clone(),
                label: r.label.clone(),
                expected: r.expected.clone(),
            })
            .chain(planned.iter().map(|p| event::Planned {
                exercise: p.exercise.id.clone(),
                label: p.candidate.label.clone(),
                expected: expectation(&p.candidate.expect),
            }))
            .collect(),
    ));
    for row in &leading_rows {
        on(Event::Done(row.clone()));
    }

    // Reuse what held before; build the rest.
    let mut judged: Vec<Option<(Judged, bool)>> = planned
        .iter()
        .map(|p| {
            if options.fresh {
                return None;
            }
            store
                .get::<Judged>(&store_name(p), &p.key)
                .filter(|j| j.ok)
                .map(|j| (j, true))
        })
        .collect();
    let to_build: Vec<usize> = (0..planned.len())
        .filter(|&i| judged[i].is_none() && planned[i].source.is_ok())
        .collect();
    for (i, p) in planned.iter().enumerate() {
        if let Err(error) = &p.source {
            judged[i] = Some((
                Judged {
                    ok: false,
                    detail: error.clone(),
                    ..Judged::default()
                },
                false,
            ));
        }
    }
    let nothing_to_run = to_build.is_empty();
    let mut profile = Profile::default();
    if !nothing_to_run {
        let planned_in = started.elapsed();
        let scratch = Scratch::sync(course, &scratch_dir, &options.scratch, &target_dir)?;
        let kept = KeptBins::open(&scratch.bins, &course.root)?;
        // (One mistake alone says nothing of the others: nothing goes.)
        if options.only_mistake.is_none() {
            let wanted = planned
                .iter()
                .filter_map(|p| Some(kept.path(&p.exercise.id, p.binary_key.as_deref()?)))
                .collect();
            kept.prune(
                &exercises.iter().map(|e| e.id.as_str()).collect(),
                &course.exercises.iter().map(|e| e.id.as_str()).collect(),
                &wanted,
            )?;
        }
        let build_plan = BuildPlan::new(&planned, &to_build, &kept);
        profile = build_and_run(
            &scratch,
            options,
            &planned,
            build_plan,
            &store,
            &mut judged,
            on,
        )?;
        // Counted from the proof's start, not from the builds'.
        if let Some(at) = profile.builds_done_at.as_mut() {
            *at += planned_in;
        }
    }

    // Rows in order (`run_all` emitted them as they came, if it ran).
    let mut rows = leading_rows;
    let mut failing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut all_tests: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (p, j) in planned.iter().zip(&judged) {
        let (j, reused) = j.clone().unwrap_or_default();
        if matches!(p.candidate.expect, Expect::Rejects { .. }) {
            failing
                .entry(&p.exercise.id)
                .or_default()
                .extend(j.failed.iter().cloned());
        }
        if !j.all.is_empty() {
            all_tests.insert(&p.exercise.id, j.all.clone());
        }
        if options.accept_snapshots {
            accept_snapshot(course, p, &j)?;
        }
        let row = row(p, &j, reused);
        if nothing_to_run {
            on(Event::Done(row.clone()));
        }
        rows.push(row);
    }
    if options.only_mistake.is_none() {
        for (id, tests) in &all_tests {
            let proven = failing.get(id).cloned().unwrap_or_default();
            let unproven: Vec<&str> = tests
                .iter()
                .filter(|t| !proven.contains(*t))
                .map(String::as_str)
                .collect();
            let row = Row {
                exercise: id.to_string(),
                label: "every test".into(),
                expected: "rejects a mistake".into(),
                ok: unproven.is_empty(),
                detail: if unproven.is_empty() {
                    format!(
                        "each of the {} tests rejects some catalogued mistake",
                        tests.len()
                    )
                } else {
                    let not_run = planned
                        .iter()
                        .filter(|p| p.exercise.id == *id && p.source.is_err())
                        .count();
                    format!(
                        "{} of {} tests reject no catalogued mistake, so nothing shows they can \
                         fail for a reason other than `todo!()`: {}{}",
                        unproven.len(),
                        tests.len(),
                        unproven.join(", "),
                        if not_run == 0 {
                            String::new()
                        } else {
                            format!(" ({not_run} mistakes could not run: see their rows)")
                        }
                    )
                },
                reused: false,
            };
            on(Event::Done(row.clone()));
            rows.push(row);
        }
    }
    Ok(Summary {
        rows,
        elapsed: started.elapsed(),
        profile,
    })
}

/// Writes a mistake's output as its snapshot (`--accept-snapshots`), when
/// its check held.
fn accept_snapshot(course: &Course, p: &Planned, j: &Judged) -> Result<()> {
    let (true, Some(output)) = (j.ok, &j.diagnoses) else {
        return Ok(());
    };
    if p.candidate.snapshot.as_ref().and_then(|s| s.kept.as_ref()) == Some(output) {
        return Ok(());
    }
    let file = course
        .root
        .join(crate::author::diagnoses::path(&p.candidate.file));
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::write(&file, output).with_context(|| format!("cannot write {}", file.display()))
}

fn limit_of(options: &Options, e: &Exercise) -> Duration {
    options.limit.unwrap_or(Duration::from_secs(e.limit_secs))
}

fn runs_of(options: &Options, c: &Candidate) -> usize {
    match c.expect {
        Expect::Rejects { .. } => options.repeat.max(1),
        _ => 1,
    }
}

fn store_name(p: &Planned) -> String {
    let stem = p
        .candidate
        .file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    format!(
        "{}-{}-{stem}",
        p.exercise.id,
        p.candidate.label.replace(' ', "_")
    )
}

fn row(p: &Planned, j: &Judged, reused: bool) -> Row {
    Row {
        exercise: p.exercise.id.clone(),
        label: p.candidate.label.clone(),
        expected: expectation(&p.candidate.expect),
        ok: j.ok,
        detail: j.detail.clone(),
        reused,
    }
}

/// How a suite says that no picture of how its work ran can help.
const NO_TIMELINE: &str = "//! No timeline: ";

/// What a student needs besides a grader: hints, at least one known mistake
/// proving the grader rejects something, and at least one mistake whose
/// picture of how the work ran is checked (`// Observed ...:`), unless the
/// suite says why a picture cannot help (`//! No timeline: <why>`). A row
/// only when lacking.
fn catalogue(course: &Course, exercise: &Exercise, list: &[Candidate]) -> Option<Row> {
    let mut missing = Vec::new();
    if exercise.hints.is_empty() {
        missing.push("no hints in course.toml (add `hints = [...]`)".to_string());
    }
    if !list
        .iter()
        .any(|c| matches!(c.expect, Expect::Rejects { .. }))
    {
        missing.push(format!(
            "no catalogued mistake (add solutions/mistakes/{}-<what>.rs)",
            exercise.id
        ));
    }
    let suite = exercise.suite(&course.root);
    let says_why_not = std::fs::read_to_string(course.root.join(&suite))
        .is_ok_and(|text| text.lines().any(|l| l.starts_with(NO_TIMELINE)));
    if !says_why_not && list.iter().all(|c| c.shape.is_empty()) {
        missing.push(format!(
            "no mistake checks its timeline (add `// Observed peak: N`, `// Observed busy: <lane>` \
             or `// Observed empty: <lane>` to a mistake's header, or say why a picture cannot \
             help in a line `{NO_TIMELINE}<why>` atop {})",
            suite.display()
        ));
    }
    (!missing.is_empty()).then(|| Row {
        exercise: exercise.id.clone(),
        label: "catalogue".into(),
        expected: "hints, mistakes, a timeline".into(),
        ok: false,
        detail: missing.join("; "),
        reused: false,
    })
}

/// Checks an exercise's files and lists its candidates.
fn plan(course: &Course, exercise: &Exercise) -> Result<Vec<Candidate>> {
    for (what, path) in [
        ("exercise folder", exercise.path.clone()),
        ("graded suite", exercise.suite(&course.root)),
    ] {
        if !course.root.join(&path).exists() {
            anyhow::bail!("the {what} {} is missing", path.display());
        }
    }
    candidates::for_exercise(&course.root, exercise)
}

/// One test binary to build: the exercise, the complete student file to
/// build it with, and where to keep the binary.
pub struct BuildItem<'a> {
    pub exercise: &'a Exercise,
    pub source: &'a str,
    pub kept_as: PathBuf,
}

/// Builds the test binaries of `items`: round k swaps the k-th item of each
/// exercise into the scratch copy, and one cargo call builds the round.
/// Hands `built` each item's test binary (copied to its `kept_as`, which the
/// next round cannot overwrite) or the compiler's error, as soon as its
/// round is built. Returns the wall time of each round's cargo call.
pub fn build_rounds<R>(
    scratch: &Scratch,
    items: &[BuildItem],
    on: &(dyn Fn(Event<R>) + Sync),
    built: &mut dyn FnMut(usize, Result<PathBuf, String>),
) -> Result<Vec<Duration>> {
    let mut times = Vec::new();
    let mut by_exercise: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        by_exercise.entry(&item.exercise.id).or_default().push(i);
    }
    let rounds = by_exercise.values().map(Vec::len).max().unwrap_or(0);
    for round in 0..rounds {
        let members: Vec<usize> = by_exercise
            .values()
            .filter_map(|list| list.get(round).copied())
            .collect();
        let mut ids = Vec::new();
        for &i in &members {
            let item = &items[i];
            scratch.write_fresh(&item.exercise.student_file(), item.source.as_bytes())?;
            ids.push(item.exercise.id.as_str());
        }
        on(Event::Building {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            round: Some((round + 1, rounds)),
        });
        let cargo_started = Instant::now();
        let result = cargo_build::build_tests(
            &scratch.workspace,
            &scratch.target_dir,
            &ids,
            cargo_build::Flavour::Proof,
            &|p| on(Event::BuildProgress(p)),
        )?;
        times.push(cargo_started.elapsed());
        for &i in &members {
            let item = &items[i];
            let binary = match result.executables.get(&item.exercise.id) {
                Some(exe) => {
                    KeptBins::keep(exe, &item.kept_as)?;
                    Ok(item.kept_as.clone())
                }
                None => Err(result
                    .errors
                    .get(&item.exercise.id)
                    .map(|e| e.rendered.clone())
                    .unwrap_or_else(|| "no test binary was built".into())),
            };
            built(i, binary);
        }
    }
    Ok(times)
}

/// What to build, and what was built before.
struct BuildPlan<'a> {
    /// Each binary to build once.
    items: Vec<BuildItem<'a>>,
    /// The candidates (indexes into the plan) each item is built for:
    /// candidates alike in everything that goes into their binary share it.
    sharing: Vec<Vec<usize>>,
    /// Candidates whose binary was kept from an earlier run, and where.
    kept: Vec<(usize, PathBuf)>,
}

impl<'a> BuildPlan<'a> {
    /// The plan for the candidates `to_build` (each with a source).
    fn new(planned: &'a [Planned<'a>], to_build: &[usize], kept_bins: &KeptBins) -> BuildPlan<'a> {
        let mut plan = BuildPlan {
            items: Vec::new(),
            sharing: Vec::new(),
            kept: Vec::new(),
        };
        for &i in to_build {
            let p = &planned[i];
            let (Some(key), Ok(source)) = (p.binary_key.as_deref(), p.source.as_deref()) else {
                continue;
            };
            let kept_as = kept_bins.path(&p.exercise.id, key);
            if let Some(k) = plan.items.iter().position(|item| item.kept_as == kept_as) {
                plan.sharing[k].push(i);
            } else if kept_as.is_file() {
                plan.kept.push((i, kept_as));
            } else {
                plan.items.push(BuildItem {
                    exercise: p.exercise,
                    source,
                    kept_as,
                });
                plan.sharing.push(vec![i]);
            }
        }
        plan
    }
}

/// Builds the candidates of `build_plan` round by round and runs their suites
/// meanwhile: while cargo builds, half of `options.jobs` suites run beside it
/// (most of a wrong candidate's time is a watchdog waiting); once the builds
/// are done, `options.jobs` at a time. Exclusive exercises (real clock, e.g.
/// HTTP) run last, alone. Rows come out in table order as they are ready.
/// Returns where the time went (the builds' end counted from this call).
fn build_and_run(
    scratch: &Scratch,
    options: &Options,
    planned: &[Planned],
    build_plan: BuildPlan,
    store: &Store,
    judged: &mut [Option<(Judged, bool)>],
    on: &(dyn Fn(Event<Row>) + Sync),
) -> Result<Profile> {
    let started = Instant::now();
    let mut profile = Profile::default();
    let suite_times = Mutex::new(Vec::new());
    let results: Vec<Mutex<Option<(Judged, bool)>>> =
        judged.iter().map(|j| Mutex::new(j.clone())).collect();
    // Emits every row whose predecessors are all known.
    let cursor = Mutex::new(0usize);
    let emit_ready = || {
        let mut next = cursor.lock().expect("no panic while held");
        while *next < planned.len() {
            let ready = results[*next].lock().expect("no panic while held").clone();
            let Some((j, reused)) = ready else { break };
            on(Event::Done(row(&planned[*next], &j, reused)));
            *next += 1;
        }
    };
    emit_ready();
    let run_one = |(i, binary): (usize, Result<PathBuf, String>)| -> Result<()> {
        let p = &planned[i];
        let j = match &binary {
            Err(error) => Judged {
                ok: false,
                detail: format!(
                    "{} does not compile:\n{}",
                    p.candidate.file.display(),
                    first_lines(error, 6)
                ),
                ..Judged::default()
            },
            Ok(binary) => {
                let dir = scratch.course.join(&p.exercise.path);
                let run_started = Instant::now();
                let j = judge::judge_runs(
                    &p.candidate,
                    binary,
                    &dir,
                    limit_of(options, p.exercise),
                    runs_of(options, &p.candidate),
                    options.at_rest.then_some(MISTAKE_BUDGET),
                );
                suite_times.lock().expect("no panic while held").push((
                    p.exercise.id.clone(),
                    p.candidate.label.clone(),
                    run_started.elapsed(),
                ));
                j?
            }
        };
        if j.ok {
            store.put(&store_name(p), &p.key, &j);
        }
        *results[i].lock().expect("no panic while held") = Some((j, false));
        emit_ready();
        Ok(())
    };
    let schedule = Schedule::new();
    let BuildPlan {
        items,
        sharing,
        kept,
    } = build_plan;
    profile.kept = kept.len();
    for (i, binary) in kept {
        schedule.push((i, Ok(binary)), planned[i].exercise.exclusive);
    }
    thread::scope(|s| -> Result<()> {
        // Half the runners start at once: the builds keep the cores busy,
        // but most of a wrong candidate's suite is a watchdog waiting.
        let mut runners: Vec<_> = (0..(options.jobs / 2).max(1))
            .map(|_| s.spawn(|| schedule.work(&run_one)))
            .collect();
        let built = build_rounds(scratch, &items, on, &mut |k, binary| {
            for &i in &sharing[k] {
                schedule.push((i, binary.clone()), planned[i].exercise.exclusive);
            }
        });
        profile.builds_done_at = Some(started.elapsed());
        let built = built.map(|times| profile.builds = times);
        if built.is_ok() {
            on(Event::Running {
                suites: schedule.len(),
                jobs: options.jobs.max(1),
            });
            for _ in runners.len()..options.jobs.max(1) {
                runners.push(s.spawn(|| schedule.work(&run_one)));
            }
            schedule.close();
        } else {
            // Stop: nothing queued runs once the build failed.
            schedule.abandon();
        }
        built.and(schedule::join_all(runners))
    })?;
    schedule.run_exclusive(&run_one)?;
    for (slot, result) in judged.iter_mut().zip(results) {
        *slot = result.into_inner().expect("no panic while held");
    }
    profile.suites = suite_times.into_inner().expect("no panic while held");
    Ok(profile)
}

/// The complete student file a mistake stands for (`verify --print`): the
/// reference with the mistake's items laid over it.
pub fn expand(course: &Course, mistake: &Path) -> Result<String> {
    let stem = mistake
        .file_stem()
        .and_then(|s| s.to_str())
        .context("a mistake file name, e.g. solutions/mistakes/ex06-join-in-loop.rs")?;
    for exercise in &course.exercises {
        if let Some(c) = candidates::for_exercise(&course.root, exercise)?
            .into_iter()
            .find(|c| c.file.file_stem().is_some_and(|f| f == stem))
        {
            return c.source(&course.root, exercise);
        }
    }
    anyhow::bail!("no catalogued mistake is called {stem} (looked in solutions/mistakes/)")
}
