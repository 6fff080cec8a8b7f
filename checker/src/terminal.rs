//! The binary's side of the screen: output that survives a closed pipe, and
//! progress that renders the engine's events as a bar on a terminal and as
//! a plain line every few seconds otherwise (CI logs, `| tee`).

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use checker::engine::cargo_build::Progress;
use checker::engine::event::Event;

/// Writes to standard output. A reader that went away (`| head`) ends the
/// program quietly, as ripgrep does, instead of a panic.
pub fn print(text: &str) {
    let mut out = anstream::stdout();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

pub fn println(text: &str) {
    print(&format!("{text}\n"));
}

/// Writes to standard error (progress, warnings): never fails the program.
pub fn eprintln(text: &str) {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "{text}");
}

/// Time between two plain progress lines.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Renders the progress of a check or a proof.
pub struct ProgressView {
    bar: Option<ProgressBar>,
    plain_last: Mutex<Option<Instant>>,
    what: String,
}

impl ProgressView {
    /// `what` names the build: "the graded suites", "round 3 of 17".
    pub fn new() -> ProgressView {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        ProgressView {
            bar,
            plain_last: Mutex::new(None),
            what: String::new(),
        }
    }

    fn plain(&self, line: &str, always: bool) {
        let mut last = self.plain_last.lock().expect("no panic while held");
        if always || last.is_none_or(|t| t.elapsed() >= PLAIN_EVERY) {
            *last = Some(Instant::now());
            eprintln(&format!("checker: {line}"));
        }
    }

    /// A build of `what` begins.
    pub fn building(&mut self, what: String) {
        self.what = what;
        match &self.bar {
            Some(bar) => {
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} Building {prefix} [{bar:25}] {pos}/{len} {wide_msg}",
                    )
                    .expect("a valid template")
                    .progress_chars("=> "),
                );
                bar.set_prefix(self.what.clone());
                bar.set_position(0);
                bar.set_length(0);
                bar.set_message("");
            }
            None => self.plain(&format!("building {}…", self.what), true),
        }
    }

    /// Cargo's progress on that build.
    pub fn build_progress(&self, p: &Progress) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
                bar.set_message(p.current.clone());
            }
            None => self.plain(
                &format!("  {}/{} compiled ({})", p.done, p.total, p.current),
                false,
            ),
        }
    }

    /// `what` starts running.
    pub fn running(&self, what: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .expect("a valid template"),
                );
                bar.set_message(what.to_string());
            }
            None => self.plain(&format!("{what}…"), true),
        }
    }

    /// Renders the progress an event tells of (a build, its progress, the
    /// suites starting); the results it carries (`Planned`, `Done`) are for
    /// the caller's own table.
    pub fn event<R>(&mut self, e: &Event<R>) {
        match e {
            Event::Building { ids, round: None } => self.building(format!(
                "the graded suites of {}",
                if ids.len() == 1 {
                    ids[0].clone()
                } else {
                    format!("{} exercises", ids.len())
                }
            )),
            Event::Building {
                ids,
                round: Some((round, rounds)),
            } => self.building(format!("round {round} of {rounds} ({})", ids.join(", "))),
            Event::BuildProgress(p) => self.build_progress(p),
            // Nothing to run (every build failed): no line saying so.
            Event::Running { suites: 0, .. } => {}
            Event::Running { suites, jobs } => self.running(&format!(
                "running {suites} suite{}, {jobs} at a time",
                if *suites == 1 { "" } else { "s" }
            )),
            Event::Planned(_) | Event::Done(_) => {}
        }
    }

    /// Removes the bar (nothing is left on the screen).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Prints a line above the bar (or plainly).
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| println(text)),
            None => println(text),
        }
    }
}

impl Drop for ProgressView {
    fn drop(&mut self) {
        self.finish();
    }
}
