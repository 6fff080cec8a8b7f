//! The course checker's command line: parses the command, calls the library
//! (`checker`), and renders what comes back. All printing happens here and
//! in `terminal`.

mod cli;
mod terminal;

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;

use checker::author::{self, verify};
use checker::engine::check::{self, Report, Settings};
use checker::engine::event::Event;
use checker::engine::interrupt::{self, Cancelled};
use checker::engine::manifest::Course;
use checker::instructor::{class, report};
use checker::student::{self, view};
use cli::{CheckArgs, Cli, Color, Command, Dev};
use terminal::ProgressView;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let choice = match cli.color {
        Color::Auto => anstream::ColorChoice::Auto,
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.downcast_ref::<Cancelled>().is_some() || interrupt::cancelled() => {
            terminal::eprintln("checker: stopped (Ctrl-C); every process it started is gone.");
            ExitCode::from(130)
        }
        Err(e) => {
            terminal::eprintln(&format!("checker: {e:#}"));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    // Every command but `class` (which reads reports anywhere) works in the
    // course folder.
    let course = || -> Result<Course> {
        let here = std::env::current_dir().context("cannot read the current folder")?;
        Course::discover(&here)
    };
    // Suites run in process groups of their own, which the terminal's
    // Ctrl-C does not reach: catch it, so they are killed.
    interrupt::catch_ctrl_c();
    match cli.command {
        None => status(&course()?, &cli.status)?,
        Some(Command::Status(args)) => status(&course()?, &args)?,
        Some(Command::Watch(args)) => watch(&course()?, &args)?,
        Some(Command::List(args)) => {
            let reports = check_with_progress(&course()?, &args, false)?;
            terminal::print(&student::list::render(&reports));
        }
        Some(Command::Report {
            format,
            output,
            student,
            check,
        }) => {
            let course = course()?;
            // Reports list every test's outcome (JUnit dashboards count
            // test cases), so even untouched stubs' suites run.
            let reports = check_with_progress(&course, &check, true)?;
            let text = report::render(format, &course, &reports, &report::Meta { student })?;
            if let Some(stdout) = report::write(format, &text, output.as_deref())? {
                terminal::print(&stdout);
            }
        }
        Some(Command::Hint { exercise, all }) => {
            let course = course()?;
            let e = course.exercise(&exercise)?;
            terminal::print(&student::hint::hint(&course, e, all)?);
        }
        Some(Command::Reset { exercise, yes }) => {
            let course = course()?;
            let e = course.exercise(&exercise)?;
            let mut confirm = |question: &str| ask(question, yes);
            terminal::println(&student::reset::reset(&course, e, &mut confirm)?);
        }
        Some(Command::Class {
            fetch: Some(cli::ClassCommand::Fetch(args)),
            ..
        }) => return class_fetch(&args),
        Some(Command::Class {
            fetch: None,
            reports,
            format,
            output,
        }) => return class_rollup(&reports, format, output.as_deref()),
        Some(Command::Dev(dev)) => return dev_command(&course()?, dev),
    }
    Ok(ExitCode::SUCCESS)
}

/// Settings of a student check.
fn settings(args: &CheckArgs) -> Settings {
    settings_with(args, false)
}

fn settings_with(args: &CheckArgs, run_untouched_stubs: bool) -> Settings {
    Settings {
        limit: args.limit.map(Duration::from_secs),
        target_dir: args.target_dir.clone(),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        fresh: args.fresh,
        run_untouched_stubs,
    }
}

fn check_with_progress(
    course: &Course,
    args: &CheckArgs,
    run_untouched_stubs: bool,
) -> Result<Vec<Report>> {
    let exercises = course.select(&args.only)?;
    let progress = Mutex::new(ProgressView::new());
    let settings = settings_with(args, run_untouched_stubs);
    let result = check::check(course, &exercises, &settings, &|e| {
        progress.lock().expect("no panic while held").event(&e);
    });
    progress.lock().expect("no panic while held").finish();
    result
}

fn status(course: &Course, args: &CheckArgs) -> Result<()> {
    let reports = check_with_progress(course, args, false)?;
    terminal::print(&view::render(
        &reports,
        view::Scope {
            whole_course: args.only.is_empty(),
            just_saved: None,
            bar: bar_style(),
            charset: charset(),
            info: &course.info,
        },
    ));
    Ok(())
}

fn bar_style() -> view::BarStyle {
    if std::io::stdout().is_terminal() {
        view::BarStyle::Unicode
    } else {
        view::BarStyle::Ascii
    }
}

/// Timelines in blocks on a UTF-8 terminal, in ASCII anywhere else.
fn charset() -> grading_protocol::Charset {
    if std::io::stdout().is_terminal() {
        grading_protocol::Charset::from_locale()
    } else {
        grading_protocol::Charset::Ascii
    }
}

fn watch(course: &Course, args: &CheckArgs) -> Result<()> {
    let progress = Mutex::new(ProgressView::new());
    let show = |update: student::watch::Update<'_>| match update {
        student::watch::Update::Progress(e) => {
            progress.lock().expect("no panic while held").event(&e);
        }
        student::watch::Update::Error(err) => {
            progress.lock().expect("no panic while held").finish();
            terminal::eprintln(&format!("checker: {err:#}"));
        }
        student::watch::Update::Reports {
            reports,
            just_saved,
        } => {
            progress.lock().expect("no panic while held").finish();
            if std::io::stdout().is_terminal() {
                // Clear the screen so the view reads like a dashboard.
                terminal::print("\x1b[2J\x1b[H");
            }
            terminal::print(&view::render(
                reports,
                view::Scope {
                    whole_course: args.only.is_empty(),
                    just_saved,
                    bar: bar_style(),
                    charset: charset(),
                    info: &course.info,
                },
            ));
            terminal::println("\nWatching your files: save to re-check, Ctrl-C to quit.");
        }
    };
    student::watch::watch(course, &args.only, &settings(args), &show)?;
    terminal::println("\nStopped watching.");
    Ok(())
}

/// Asks a yes/no question on the terminal; `--yes` answers it, and without a
/// terminal there is no one to ask.
fn ask(question: &str, yes: bool) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{question} There is no terminal to ask: add --yes to confirm");
    }
    terminal::print(&format!("{question} [y/N] "));
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn class_rollup(
    reports: &[std::path::PathBuf],
    format: class::Format,
    output: Option<&std::path::Path>,
) -> Result<ExitCode> {
    let rollup = class::rollup(reports)?;
    for s in &rollup.skipped {
        terminal::eprintln(&format!(
            "checker: skipped {}: {}",
            s.file.display(),
            s.reason
        ));
    }
    let text = class::render(&rollup, format)?;
    match output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => terminal::print(&text),
    }
    Ok(ExitCode::SUCCESS)
}

/// `class fetch`: one line per student repository as it is done, then the
/// count. Exit status 0 when every repository gave its report, 1 when some
/// did not (each named), 2 (as for every error) when the fetch could not
/// run or was stopped.
fn class_fetch(args: &cli::FetchArgs) -> Result<ExitCode> {
    use checker::instructor::fetch;
    let token = match std::env::var("GITHUB_TOKEN") {
        Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => anyhow::bail!(
            "set GITHUB_TOKEN to a token that can read {}'s repositories and their Actions \
             artifacts (e.g. `export GITHUB_TOKEN=$(gh auth token)`)",
            args.org
        ),
    };
    let opts = fetch::Options {
        api_url: args.api_url.clone(),
        artifact: args.artifact.clone(),
        max_wait: std::time::Duration::from_secs(args.max_wait),
        ..fetch::Options::new(&args.org, &args.assignment, &args.out)
    };
    let summary = fetch::fetch(&opts, token, &mut |r| terminal::println(&r.line()))?;
    let (kept, total) = (summary.kept(), summary.repos.len());
    terminal::println(&format!(
        "{kept} of {total} repositories gave a report ({} requests); roll them up with \
         `checker class {}`",
        summary.requests,
        args.out.display()
    ));
    Ok(held(kept == total))
}

/// Exit status of a proof: 0 when every check held, 1 otherwise.
fn held(all: bool) -> ExitCode {
    if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Renders one event of a proof: progress on stderr, rows on stdout.
fn proof_event(
    progress: &Mutex<ProgressView>,
    table: &Mutex<Option<author::verify_table::Table>>,
    e: Event<verify::Row>,
) {
    let mut progress = progress.lock().expect("no panic while held");
    let mut table = table.lock().expect("no panic while held");
    match e {
        Event::Planned(rows) => {
            let t = author::verify_table::Table::new(&rows);
            progress.line(t.header().trim_end());
            *table = Some(t);
        }
        Event::Done(row) => {
            if let Some(t) = table.as_ref() {
                progress.line(t.row(&row).trim_end());
            }
        }
        e => progress.event(&e),
    }
}

/// Suites a proof runs at once: twice the cores (most of a wrong
/// candidate's suite is a watchdog waiting), at most 4.
fn jobs_default() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (2 * n.get()).min(4))
}

fn dev_command(course: &Course, dev: Dev) -> Result<ExitCode> {
    match dev {
        Dev::Verify(args) => {
            if let Some(file) = &args.print {
                terminal::print(&verify::expand(course, file)?);
                return Ok(ExitCode::SUCCESS);
            }
            let options = verify::Options {
                only: args.only,
                limit: args.limit.map(Duration::from_secs),
                repeat: usize::try_from(args.repeat).unwrap_or(usize::MAX),
                only_mistake: args.mistake,
                scratch: args.scratch.scratch,
                target_dir: args.scratch.target_dir,
                jobs: args
                    .jobs
                    .map_or_else(jobs_default, |j| usize::try_from(j).unwrap_or(1)),
                // A row that held on an idle machine proves nothing under load.
                fresh: args.fresh || args.load > 0,
                accept_snapshots: args.accept_snapshots,
                at_rest: args.load == 0,
            };
            let progress = Mutex::new(ProgressView::new());
            let table = Mutex::new(None);
            // Ends on every path: dropped on an error or a panic, stopped by Ctrl-C.
            let load = (args.load > 0)
                .then(|| author::load::Load::start(usize::try_from(args.load).unwrap_or(1)));
            let summary = verify::verify(course, &options, &|e| {
                proof_event(&progress, &table, e);
            })?;
            let seen = load.map(author::load::Load::finish);
            progress.lock().expect("no panic while held").finish();
            terminal::print(&author::verify_table::summary(&summary));
            terminal::print(&author::verify_table::profile(&summary));
            if let Some(seen) = seen {
                terminal::print(&format!("{}\n", seen.summary()));
            }
            Ok(held(summary.held()))
        }
        Dev::Soak {
            only,
            runs,
            no_load,
            jobs,
            scratch,
        } => {
            let options = author::soak::Options {
                only,
                runs: usize::try_from(runs).unwrap_or(usize::MAX),
                load: !no_load,
                jobs: usize::try_from(jobs).unwrap_or(1),
                scratch: scratch.scratch,
                target_dir: scratch.target_dir,
            };
            let progress = Mutex::new(ProgressView::new());
            terminal::println(&author::soak::header(&options));
            let all = author::soak::soak(course, &options, &|e| {
                let mut p = progress.lock().expect("no panic while held");
                match e {
                    Event::Done(row) => p.line(author::soak::render_row(&row).trim_end()),
                    e => p.event(&e),
                }
            })?;
            progress.lock().expect("no panic while held").finish();
            Ok(held(all))
        }
        Dev::Mutants { only } => {
            let progress = Mutex::new(ProgressView::new());
            let outcome = author::mutants::run(course, &only, &|line| {
                progress.lock().expect("no panic while held").line(line);
            })?;
            progress.lock().expect("no panic while held").finish();
            terminal::print(&author::mutants::render(&outcome));
            Ok(held(outcome.held()))
        }
        Dev::New { id, title } => {
            let created = author::scaffold::new_exercise(course, &id, &title)?;
            terminal::println(&format!("Created exercise {}:", created.id));
            for f in &created.files {
                terminal::println(&format!("  {}", f.display()));
            }
            terminal::println(&author::scaffold::next_steps(&created));
            Ok(ExitCode::SUCCESS)
        }
        Dev::Remove { id } => {
            let removed = author::remove::remove_exercise(course, &id)?;
            terminal::println(&format!("Removed exercise {}:", removed.id));
            for f in &removed.deleted {
                terminal::println(&format!("  deleted {}", f.display()));
            }
            for f in &removed.edited {
                terminal::println(&format!("  edited  {}", f.display()));
            }
            terminal::println(
                "\nNext: `cargo run -- dev check` (the course's rules hold again), then commit. \
                 `git restore .` brings the exercise back.",
            );
            Ok(ExitCode::SUCCESS)
        }
        Dev::Workflow { check } => {
            let file = author::workflow::path();
            if author::workflow::run(course, check)? {
                terminal::println(&format!(
                    "{} is up to date with course.toml",
                    file.display()
                ));
                Ok(ExitCode::SUCCESS)
            } else {
                terminal::eprintln(&format!(
                    "checker: {} is stale: it does not match course.toml. Run `cargo run -- dev \
                     workflow` and commit it.",
                    file.display()
                ));
                Ok(ExitCode::from(1))
            }
        }
        Dev::Check => {
            let results = author::dev_check::check(course);
            terminal::print(&author::dev_check::render(&results));
            Ok(held(results.iter().all(|r| r.problems.is_empty())))
        }
        Dev::Ids => {
            for e in &course.exercises {
                terminal::println(&e.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
