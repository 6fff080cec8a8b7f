//! `checker watch`: re-checks an exercise whenever one of its files is
//! saved, until Ctrl-C. The exercise just saved becomes the one the view
//! explains.

use std::thread;
use std::time::Duration;

use anyhow::Result;

use crate::engine::check::{self, Report, Settings};
use crate::engine::event::Event;
use crate::engine::fingerprint;
use crate::engine::interrupt;
use crate::engine::manifest::Course;

/// How often the student files are looked at. Comparing their contents
/// works the same with every editor (atomic saves, network drives, WSL) and
/// never mistakes a touched file for a changed one.
const POLL: Duration = Duration::from_millis(300);

/// What `watch` has to show.
pub enum Update<'a> {
    /// Progress of a check.
    Progress(Event<String>),
    /// New verdicts; `just_saved` is the exercise whose save caused them.
    Reports {
        reports: &'a [Report],
        just_saved: Option<&'a str>,
    },
    /// A check could not be done (e.g. cargo failed); watching goes on.
    Error(&'a anyhow::Error),
}

/// Watches until Ctrl-C (the caller installs the handler).
pub fn watch(
    course: &Course,
    only: &[String],
    settings: &Settings,
    show: &(dyn Fn(Update<'_>) + Sync),
) -> Result<()> {
    let exercises = course.select(only)?;
    let content = |i: usize| fingerprint::student_content(&course.root, exercises[i]);
    let mut seen: Vec<String> = (0..exercises.len()).map(content).collect();
    let progress = |e: Event<String>| show(Update::Progress(e));
    let mut reports = check::check(course, &exercises, settings, &progress)?;
    show(Update::Reports {
        reports: &reports,
        just_saved: None,
    });
    while !interrupt::cancelled() {
        thread::sleep(POLL);
        for i in 0..exercises.len() {
            let now = content(i);
            if now == seen[i] {
                continue;
            }
            seen[i] = now;
            match check::check(course, &[exercises[i]], settings, &progress) {
                Ok(mut fresh) => reports[i] = fresh.remove(0),
                Err(_) if interrupt::cancelled() => break,
                Err(err) => {
                    show(Update::Error(&err));
                    continue;
                }
            }
            show(Update::Reports {
                reports: &reports,
                just_saved: Some(&exercises[i].id),
            });
        }
    }
    Ok(())
}
