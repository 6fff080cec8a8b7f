//! `checker watch`: re-checks an exercise whenever its file is saved.

use std::fs;
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::check::{self, Report, Settings};
use crate::manifest::{Course, Exercise};
use crate::run::CANCELLED;
use crate::view;

/// How often the student files are looked at. Polling the contents works
/// the same with every editor (atomic saves, network drives, WSL).
const POLL: Duration = Duration::from_millis(300);

/// Checks, with a spinner on the terminal (hidden when piped).
pub fn check_with_spinner(
    course: &Course,
    exercises: &[&Exercise],
    settings: &Settings,
) -> Result<Vec<Report>> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("a valid template"),
    );
    spinner.set_message(format!("checking {} exercise(s)…", exercises.len()));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = check::check(course, exercises, settings);
    spinner.finish_and_clear();
    result
}

pub fn watch(course: &Course, only: &[String], settings: &Settings) -> Result<()> {
    ctrlc::set_handler(|| CANCELLED.store(true, Ordering::SeqCst))?;
    let exercises = course.select(only)?;
    let read = |e: &Exercise| fs::read(course.root.join(e.student_file())).ok();
    let mut seen: Vec<Option<Vec<u8>>> = exercises.iter().map(|e| read(e)).collect();
    let mut reports = check_with_spinner(course, &exercises, settings)?;
    show(&reports);
    while !CANCELLED.load(Ordering::SeqCst) {
        thread::sleep(POLL);
        for (i, e) in exercises.iter().enumerate() {
            let now = read(e);
            if now == seen[i] {
                continue;
            }
            seen[i] = now;
            match check_with_spinner(course, &[*e], settings) {
                Ok(mut fresh) => reports[i] = fresh.remove(0),
                Err(_) if CANCELLED.load(Ordering::SeqCst) => break,
                Err(err) => anstream::eprintln!("checker: {err:#}"),
            }
            show(&reports);
        }
    }
    anstream::println!("\nStopped watching.");
    Ok(())
}

fn show(reports: &[Report]) {
    if std::io::stdout().is_terminal() {
        // Clear the screen so the view reads like a dashboard.
        anstream::print!("\x1b[2J\x1b[H");
    }
    anstream::print!("{}", view::render(reports, view::BarStyle::detect()));
    anstream::println!("\nWatching your files: save to re-check, Ctrl-C to quit.");
}
