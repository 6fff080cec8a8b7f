//! What a run of graded suites is doing, as it goes: the one event type that
//! the student's check, the proof and the soak emit, and that the binary's
//! reporters render (progress on standard error, each run's own table). As
//! in cargo-nextest, the runners only emit and the reporters only render:
//! nothing here prints.
//!
//! The runs share the build and run steps, so those events are the same;
//! what a run finishes with differs (an exercise's suite, a row of the
//! proof, a reference's soak), so that is the type parameter `R`.

use crate::engine::cargo_build::Progress;

#[derive(Debug, Clone)]
pub enum Event<R> {
    /// The results to come, in the order they will be reported (the proof's
    /// table sizes its columns from them).
    Planned(Vec<Planned>),
    /// A cargo build of these exercises' suites begins.
    Building {
        ids: Vec<String>,
        /// Which build of how many (`(round, rounds)`, from 1), when the
        /// candidates are built in rounds (the proof, the soak); `None` for
        /// the student's check, which builds once.
        round: Option<(usize, usize)>,
    },
    /// Cargo's progress on that build.
    BuildProgress(Progress),
    /// The builds are done: this many suites start running, at most `jobs`
    /// at a time (exclusive ones alone).
    Running { suites: usize, jobs: usize },
    /// One result is known: the run's own (see the module documentation).
    Done(R),
}

/// One result to come: what is checked, and what must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub exercise: String,
    /// `stub`, `reference`, `mistake <what>`, `setup`, ...
    pub label: String,
    pub expected: String,
}
