//! The course checker. See `checker --help`.

mod candidates;
mod cargo_build;
mod libtest;
mod manifest;
mod run;
mod scratch;
mod verify;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::manifest::Course;

#[derive(Parser)]
#[command(
    name = "checker",
    version,
    about = "Checks your progress through the concurrency course, and proves its graders honest.",
    after_help = "Exit status: 0 when the command ran and (for verify) every check held; \
                  1 when a verify check failed; 2 on a usage or tool error."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// For course authors: prove on a scratch copy that every untouched stub
    /// fails, every reference solution passes and every catalogued mistake is
    /// rejected by the test it names. Never touches your files.
    Verify {
        /// Check only these exercises (e.g. `--only ex03`).
        #[arg(long, value_name = "ID")]
        only: Vec<String>,
        /// Seconds one suite may run before it is killed.
        #[arg(long, default_value_t = 60, value_name = "SECONDS")]
        limit: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("checker: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let here = std::env::current_dir().context("cannot read the current folder")?;
    let course = Course::discover(&here)?;
    match cli.command {
        Some(Command::Verify { only, limit }) => {
            let options = verify::Options {
                only,
                limit: Duration::from_secs(limit),
            };
            let all_held = verify::verify(&course, &options)?;
            Ok(if all_held { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        None => {
            println!("The student view comes next; for now: `cargo run -- verify`.");
            Ok(ExitCode::SUCCESS)
        }
    }
}
