//! The course checker. See `checker --help`.

mod candidates;
mod cargo_build;
mod check;
mod class;
mod hints;
mod libtest;
mod manifest;
mod overlay;
mod report;
mod reset;
mod run;
mod scaffold;
mod scratch;
mod soak;
mod verify;
mod view;
mod watch;
mod workflow;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::check::Settings;
use crate::manifest::Course;

#[derive(Parser)]
#[command(
    name = "checker",
    version,
    about = "Shows where you stand in the concurrency course and what to do next.",
    long_about = "Shows where you stand in the concurrency course and what to do next.\n\n\
        Without a command it checks every exercise: it builds the graded suites in one \
        cargo call, runs them, and prints a table with each exercise's status, then the \
        first unsolved exercise's first failing test and the commands to run next.",
    after_help = "Exit status:\n  0  the command ran (whatever your progress)\n  \
        1  verify or soak: a check of the graders failed; workflow --check: the \
        workflow is stale\n  \
        2  usage error, or the tool could not do its job (not in the course folder, \
        a broken course.toml, cargo failed, ...)"
)]
struct Cli {
    /// When to colour the output: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,

    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    status: StatusArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Args, Clone)]
struct StatusArgs {
    /// Check only this exercise (repeatable), e.g. `--only ex03`.
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    /// Seconds a suite may run before it counts as hung (default: per exercise
    /// in course.toml, 60 s unless set).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    limit: Option<u64>,
    /// Cargo target folder for the graded suites (default: the course's target/).
    #[arg(long, value_name = "DIR", env = "CHECKER_TARGET_DIR", hide = true)]
    target_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Check the exercises and show your progress (the default).
    Status(StatusArgs),
    /// Show the next hint for an exercise: a nudge, then the idiom, then a near-solution.
    Hint {
        /// The exercise, e.g. ex03.
        exercise: String,
        /// Show every hint at once.
        #[arg(long)]
        all: bool,
    },
    /// Re-check an exercise each time you save its file; Ctrl-C to quit.
    Watch(StatusArgs),
    /// Put the untouched stub back; your version is kept as src/lib.rs.bak.
    Reset {
        /// The exercise, e.g. ex03.
        exercise: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// List the exercises, their topics and the course checklist, ticked when solved.
    List(StatusArgs),
    /// For instructors and CI: check the exercises and write a report in a
    /// format a dashboard, GitHub Classroom or Exercism reads.
    Report {
        /// json (versioned, see checker/schema/), junit, classroom, exercism or markdown.
        #[arg(long, value_enum)]
        format: report::Format,
        /// Write the report to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The student's name, recorded in the report.
        #[arg(long, value_name = "NAME")]
        student: Option<String>,
        #[command(flatten)]
        check: StatusArgs,
    },
    /// For instructors: roll up many students' JSON reports (files or folders
    /// of them) into a student × exercise matrix, completion rates and the
    /// tests the class fails most. Works outside the course folder too.
    Class {
        /// Report files (`checker report --format json`) or folders of them.
        #[arg(required = true, value_name = "REPORT|DIR")]
        reports: Vec<PathBuf>,
        /// text, csv, markdown or json.
        #[arg(long, value_enum, default_value_t = class::Format::Text)]
        format: class::Format,
    },
    /// For course authors: scaffold a new exercise (crate, sheet and stub,
    /// graded suite, placeholder reference, course.toml entry); then
    /// `verify --only <ID>` lists what is still to write.
    New {
        /// The exercise id, also its package name, e.g. ex14.
        id: String,
        /// The title students see.
        #[arg(long)]
        title: String,
    },
    /// For course authors: write .github/workflows/classroom.yml from
    /// course.toml (one GitHub Classroom autograding step per exercise).
    Workflow {
        /// Only check that the committed file is up to date (exit 1 if not).
        #[arg(long)]
        check: bool,
    },
    /// For course authors: prove on a scratch copy that every untouched stub
    /// fails, every reference solution passes and every catalogued mistake is
    /// rejected by the test it names. Never touches your files.
    Verify {
        /// Check only these exercises (e.g. `--only ex03`).
        #[arg(long, value_name = "ID")]
        only: Vec<String>,
        /// Seconds one suite may run before it is killed (default: the
        /// exercise's limit_secs in course.toml, as students have it).
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
        /// Run each mistake's suite this many times: it must be rejected every time.
        #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        repeat: u64,
        /// Check only this mistake (its file stem, e.g. ex06-join-in-loop).
        #[arg(long, value_name = "MISTAKE")]
        mistake: Option<String>,
        /// Print the complete student file a mistake stands for (the reference
        /// with the mistake's items laid over it), and stop.
        #[arg(long, value_name = "MISTAKE_FILE")]
        print: Option<PathBuf>,
        /// Cargo target folder for the scratch copy.
        #[arg(long, value_name = "DIR", env = "CHECKER_TARGET_DIR", hide = true)]
        target_dir: Option<PathBuf>,
        /// Name of the scratch copy under target/ (lets two proofs run at once).
        #[arg(
            long,
            value_name = "NAME",
            env = "CHECKER_SCRATCH",
            default_value = "verify",
            hide = true
        )]
        scratch: String,
    },
    /// For course authors: run every reference suite many times in a row with
    /// one core kept busy; any failure is a flaky grader.
    Soak {
        /// Check only these exercises.
        #[arg(long, value_name = "ID")]
        only: Vec<String>,
        /// Runs per suite.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
        runs: u64,
        /// Do not keep a core busy.
        #[arg(long)]
        no_load: bool,
        /// Name of the scratch copy under target/.
        #[arg(
            long,
            value_name = "NAME",
            env = "CHECKER_SCRATCH",
            default_value = "verify",
            hide = true
        )]
        scratch: String,
    },
}

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
        Err(e) => {
            anstream::eprintln!("checker: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn settings(args: &StatusArgs) -> Settings {
    Settings {
        limit: args.limit.map(Duration::from_secs),
        target_dir: args.target_dir.clone(),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let command = match cli.command {
        // Reading reports needs no course.
        Some(Command::Class { reports, format }) => return class(&reports, format),
        other => other,
    };
    let here = std::env::current_dir().context("cannot read the current folder")?;
    let course = Course::discover(&here)?;
    match command {
        None => status(&course, &cli.status)?,
        Some(Command::Status(args)) => status(&course, &args)?,
        Some(Command::Watch(args)) => watch::watch(&course, &args.only, &settings(&args))?,
        Some(Command::List(args)) => list(&course, &args)?,
        Some(Command::Report {
            format,
            output,
            student,
            check,
        }) => {
            let exercises = course.select(&check.only)?;
            let reports = watch::check_with_spinner(&course, &exercises, &settings(&check))?;
            let text = report::render(format, &course, &reports, &report::Meta { student })?;
            report::write(format, &text, output.as_deref())?;
        }
        Some(Command::Hint { exercise, all }) => {
            let e = course.exercise(&exercise)?;
            anstream::print!("{}", hints::hint(&course, e, all)?);
        }
        Some(Command::Reset { exercise, yes }) => {
            let e = course.exercise(&exercise)?;
            anstream::println!("{}", reset::reset(&course, e, yes)?);
        }
        Some(Command::Class { .. }) => {} // handled before the course is read
        Some(Command::Workflow { check }) => {
            let file = workflow::path();
            if workflow::run(&course, check)? {
                anstream::println!("{} is up to date with course.toml", file.display());
            } else {
                anstream::eprintln!(
                    "checker: {} is stale: it does not match course.toml. Run `cargo run -- workflow` and commit it.",
                    file.display()
                );
                return Ok(ExitCode::from(1));
            }
        }
        Some(Command::New { id, title }) => {
            let created = scaffold::new_exercise(&course, &id, &title)?;
            anstream::println!("Created exercise {}:", created.id);
            for f in &created.files {
                anstream::println!("  {}", f.display());
            }
            anstream::println!(
                "\nNext: write the sheet and stub, the graded suite, the reference and at least \
                 one mistake (solutions/mistakes/{id}-<what>.rs), then run\n  cargo run -- verify --only {id}"
            );
        }
        Some(Command::Verify {
            only,
            limit,
            repeat,
            mistake,
            print,
            target_dir,
            scratch,
        }) => {
            if let Some(file) = print {
                anstream::print!("{}", verify::expand(&course, &file)?);
                return Ok(ExitCode::SUCCESS);
            }
            let options = verify::Options {
                only,
                limit: limit.map(Duration::from_secs),
                repeat: usize::try_from(repeat).unwrap_or(usize::MAX),
                only_mistake: mistake,
                target_dir,
                scratch,
            };
            return Ok(held(verify::verify(&course, &options)?));
        }
        Some(Command::Soak {
            only,
            runs,
            no_load,
            scratch,
        }) => {
            let options = soak::Options {
                only,
                runs: usize::try_from(runs).unwrap_or(usize::MAX),
                load: !no_load,
                scratch,
            };
            return Ok(held(soak::soak(&course, &options)?));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn class(reports: &[PathBuf], format: class::Format) -> Result<ExitCode> {
    let rollup = class::rollup(reports)?;
    for s in &rollup.skipped {
        anstream::eprintln!("checker: skipped {}: {}", s.file.display(), s.reason);
    }
    anstream::print!("{}", class::render(&rollup, format)?);
    Ok(ExitCode::SUCCESS)
}

/// Exit status of a proof: 0 when every check held, 1 otherwise.
fn held(all: bool) -> ExitCode {
    if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn status(course: &Course, args: &StatusArgs) -> Result<()> {
    let exercises = course.select(&args.only)?;
    let reports = watch::check_with_spinner(course, &exercises, &settings(args))?;
    anstream::print!("{}", view::render(&reports, view::BarStyle::detect()));
    Ok(())
}

fn list(course: &Course, args: &StatusArgs) -> Result<()> {
    let exercises = course.select(&args.only)?;
    let reports = watch::check_with_spinner(course, &exercises, &settings(args))?;
    anstream::print!("{}", view::render_list(&reports));
    Ok(())
}
