//! The command line. Students meet their commands first; instructors' and
//! course authors' commands follow, the authors' grouped under `dev` (as
//! rustlings does), so a student's `--help` stays short.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use checker::instructor::{class, report};

#[derive(Parser)]
#[command(
    name = "checker",
    // Students run the checker through cargo: show them what they type.
    bin_name = "cargo run --",
    version,
    about = "Shows where you stand in the course and what to do next.",
    long_about = "Shows where you stand in the course and what to do next.\n\n\
        Without a command it checks every exercise (reusing each verdict while nothing it \
        depends on changed), prints a table with each exercise's status, then the full \
        diagnosis of the exercise you are working on and where the course continues.",
    after_help = "Exit status:\n  0  the command ran (whatever your progress)\n  \
        1  dev verify, dev soak, dev mutants or dev check: a check of the course failed; \
        dev workflow --check: the workflow is stale\n  \
        2  usage error, or the tool could not do its job (not in the course folder, \
        a broken course.toml, cargo failed, ...)\n  \
        130  stopped by Ctrl-C"
)]
pub struct Cli {
    /// When to colour the output: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub status: CheckArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// How the exercises are checked.
#[derive(Args, Clone)]
pub struct CheckArgs {
    /// Check only this exercise (repeatable): `--only ex03`, `--only 3`.
    #[arg(long, value_name = "EXERCISE")]
    pub only: Vec<String>,
    /// Seconds a suite may run before it counts as hung (default: per exercise
    /// in course.toml, 60 s unless set).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Check again even where nothing changed since the last check.
    #[arg(long)]
    pub fresh: bool,
    /// Cargo target folder for the graded suites (default: the course's target/).
    #[arg(long, value_name = "DIR", env = "CHECKER_TARGET_DIR", hide = true)]
    pub target_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check the exercises and show your progress (the default).
    Status(CheckArgs),
    /// Re-check an exercise each time you save its file; Ctrl-C to quit.
    Watch(CheckArgs),
    /// Show the next hint for an exercise: a nudge, then the idiom, then a near-solution.
    Hint {
        /// The exercise: ex03, or just 3.
        exercise: String,
        /// Show every hint at once.
        #[arg(long)]
        all: bool,
    },
    /// Put the untouched stub back; your version is kept as src/lib.rs.bak.
    Reset {
        /// The exercise: ex03, or just 3.
        exercise: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// List the exercises, their topics and the course checklist, ticked when solved.
    List(CheckArgs),
    /// For instructors and CI: check the exercises and write a report in a
    /// format a dashboard, GitHub Classroom or Exercism reads.
    Report {
        /// json (versioned, see checker/schema/), junit, classroom, exercism, markdown or html.
        #[arg(long, value_enum)]
        format: report::Format,
        /// Write the report to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The student's name, recorded in the report.
        #[arg(long, value_name = "NAME")]
        student: Option<String>,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// For instructors: roll up many students' JSON reports (files or folders
    /// of them) into a student × exercise matrix, completion rates and the
    /// tests the class fails most. Works outside the course folder too.
    /// `class fetch` downloads every student's newest report from GitHub.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Class {
        #[command(subcommand)]
        fetch: Option<ClassCommand>,
        /// Report files (`report --format json`) or folders of them.
        #[arg(required = true, value_name = "REPORT|DIR")]
        reports: Vec<PathBuf>,
        /// text, csv, markdown, json or html.
        #[arg(long, value_enum, default_value_t = class::Format::Text)]
        format: class::Format,
        /// Write to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// For course authors: prove the graders, scaffold exercises, check the
    /// course's own rules (`cargo run -- dev --help`).
    #[command(subcommand)]
    Dev(Dev),
}

/// `class`'s own subcommands.
#[derive(Subcommand)]
pub enum ClassCommand {
    /// Download each student's newest JSON report from GitHub Classroom: the
    /// artifact the generated workflow uploads, from every repository of
    /// ORG named PREFIX-<login>. Reads the token from GITHUB_TOKEN (it needs
    /// read access to the repositories' Actions); never prints or writes it.
    Fetch(FetchArgs),
}

#[derive(clap::Args)]
pub struct FetchArgs {
    /// The GitHub organization of the classroom.
    #[arg(long)]
    pub org: String,
    /// The assignment's repository prefix: GitHub Classroom names each
    /// student's repository PREFIX-<login>.
    #[arg(long, value_name = "PREFIX")]
    pub assignment: String,
    /// The folder to write the reports to, one <repository>.json each
    /// (then: `checker class DIR`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The REST API's root; for GitHub Enterprise Server, https://HOST/api/v3.
    #[arg(long, value_name = "URL", default_value = "https://api.github.com")]
    pub api_url: String,
    /// The artifact's name (the generated workflow's).
    #[arg(long, value_name = "NAME", default_value = crate::author::workflow::REPORT_ARTIFACT)]
    pub artifact: String,
    /// Wait out a rate limit that resets within this many seconds; stop
    /// (saying when it resets) when it is longer.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub max_wait: u64,
}

/// The course author's commands.
#[derive(Subcommand)]
pub enum Dev {
    /// Prove on a scratch copy that every untouched stub fails, every reference
    /// passes, every catalogued mistake is rejected by the test it names and
    /// every test rejects some mistake. Never touches the student files.
    Verify(VerifyArgs),
    /// Run every reference suite many times with one core kept busy; any
    /// failure is a flaky grader.
    Soak {
        /// Soak only these exercises.
        #[arg(long, value_name = "EXERCISE")]
        only: Vec<String>,
        /// Runs per suite.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
        runs: u64,
        /// Do not keep a core busy.
        #[arg(long)]
        no_load: bool,
        /// Reference suites running at the same time (shows that running
        /// suites side by side cannot change a verdict).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        jobs: u64,
        #[command(flatten)]
        scratch: ScratchArgs,
    },
    /// Mutation testing of the graders (cargo-mutants) on a scratch copy with
    /// every reference in place: every mutant must be caught, or excluded with
    /// its reason in .cargo/mutants.toml.
    Mutants {
        /// Mutate only these exercises.
        #[arg(long, value_name = "EXERCISE")]
        only: Vec<String>,
    },
    /// Scaffold a new exercise (crate, sheet and stub, graded suite, placeholder
    /// reference, course.toml entry); then `dev verify --only <ID>` lists what is
    /// still to write.
    New {
        /// The exercise id, also its package name, e.g. ex14.
        id: String,
        /// The title students see.
        #[arg(long)]
        title: String,
    },
    /// Take an exercise out of the course, the inverse of `new`: its crate,
    /// suite, reference, stub and mistakes, its course.toml entry, README row
    /// and mutation-testing patterns; the Classroom workflow is regenerated.
    Remove {
        /// The exercise to remove: `ex03`, `03` or `3`.
        id: String,
    },
    /// Write .github/workflows/classroom.yml from course.toml (one GitHub
    /// Classroom autograding step per exercise).
    Workflow {
        /// Only check that the committed file is up to date (exit 1 if not).
        #[arg(long)]
        check: bool,
    },
    /// Check the course's own rules: stubs identical to their copies, identical
    /// dependency lists, the README's table, no stray file under solutions/,
    /// rustfmt-clean solutions, an up-to-date Classroom workflow.
    Check,
    /// Print the exercise ids in course order, one per line (for scripts).
    Ids,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Check only these exercises: `--only ex03`, `--only 3`.
    #[arg(long, value_name = "EXERCISE")]
    pub only: Vec<String>,
    /// Seconds one suite may run before it is killed (default: the exercise's
    /// limit_secs in course.toml, as students have it).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Run each mistake's suite this many times: it must be rejected every time.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub repeat: u64,
    /// Check only this mistake (its file name without .rs, e.g. ex06-join-in-loop).
    #[arg(long, value_name = "MISTAKE")]
    pub mistake: Option<String>,
    /// Print the complete student file a mistake stands for (the reference
    /// with the mistake's items laid over it), and stop.
    #[arg(long, value_name = "MISTAKE_FILE")]
    pub print: Option<PathBuf>,
    /// Suites running at the same time (exclusive exercises run alone).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// Check again what held before and has not changed since.
    #[arg(long)]
    pub fresh: bool,
    /// Write each catalogued mistake's student-facing output (every failing
    /// test's message and picture, as `cargo run` shows them, redacted) to
    /// solutions/mistakes/snapshots/ instead of comparing it; review the diff.
    #[arg(long)]
    pub accept_snapshots: bool,
    /// Keep N threads spinning for the whole run (implies --fresh), to show
    /// that verdicts and causes hold on a loaded machine; prints the load
    /// average seen. E.g. `--repeat 3 --load 6` on 2 cores. The snapshots
    /// (wording reviewed at rest) are not compared under load; every failing
    /// test's cause is.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub load: u64,
    #[command(flatten)]
    pub scratch: ScratchArgs,
}

/// Where a proof works.
#[derive(Args)]
pub struct ScratchArgs {
    /// Name of the scratch copy (lets two proofs run at once).
    #[arg(
        long,
        value_name = "NAME",
        env = "CHECKER_SCRATCH",
        default_value = "proof",
        hide = true
    )]
    pub scratch: String,
    /// Cargo target folder (default: the course's target/).
    #[arg(long, value_name = "DIR", env = "CHECKER_TARGET_DIR", hide = true)]
    pub target_dir: Option<PathBuf>,
}
