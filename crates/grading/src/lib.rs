//! Shared support for the graded suites in `tests/`.
//!
//! Every graded test runs the student's code through [`within`], [`paused`] or
//! [`real_clock`]: the code runs on a thread of its own while the test's thread
//! keeps a real-time watchdog, so a blocked runtime or a deadlocked pool fails
//! within seconds with a diagnosis instead of hanging the suite.
//!
//! Failures are reported with a [`Diagnosis`]: what was observed, the cause
//! when the evidence proves one, and what to try ([`fail!`] and [`check!`]
//! are shorthands for a diagnosis that asserts no cause); a panic in the student's code (e.g. `todo!()`)
//! is reported as such. What the checker needs to know (not started, stopped
//! by the watchdog, time spent) is recorded as typed facts through
//! `grading_protocol`, never read back from the messages.
//!
//! Helpers that every suite needs live here once: [`Rendezvous`] and
//! [`Patience`] (proving overlap without the clock), [`catch_panic`] and
//! [`catch_panic_async`], and the message helpers of [`text`](crate::cut)
//! ([`cut`], [`preview`], [`count`], [`fmt_duration`], ...).

mod clock;
mod diagnose;
mod diagnosis;
mod load;
mod machine;
mod preempt;
mod processes;
mod rendezvous;
mod serial;
mod teardown;
mod text;
mod thread_clock;
mod track;
mod watchdog;

pub use clock::{paused, paused_diagnosing, real_clock, timed, Timing};
pub use diagnose::{
    catch_panic, catch_panic_async, payload_text, reached_todo, record_hang, record_picture,
    record_student_panic,
};
pub use diagnosis::{Diagnosis, OrFail};
/// Causes a diagnosis can assert (see [`Diagnosis`]).
pub use grading_protocol::Cause;
/// Timelines: what ran when (see [`Diagnosis::picture`], [`record_picture`]).
pub use grading_protocol::{Charset, Clock, Timeline};
pub use load::{raise_open_files_limit, reset_on_close};
pub use machine::{cores, parallel_or_skip};
pub use preempt::{preempt_often, Preempted};
pub use processes::{child_state, kill_child, ChildState};
pub use rendezvous::{Inside, Miss, Patience, Rendezvous};
pub use serial::one_at_a_time;
pub use teardown::close_in_background;
pub use text::{
    count, count_of, cut, fmt_duration, fmt_duration_exact, ms, preview, preview_with, secs, was,
};
pub use thread_clock::{Split, ThreadClock, ThreadTime};
pub use track::{in_input_order, Track};
pub use watchdog::{within, within_diagnosing};

/// Fails the current test with a diagnosis: what was observed, then what to try.
///
/// ```ignore
/// grading::fail!("took {} for three 1 s sleeps", fmt_duration(t); try = "start them all before awaiting");
/// ```
#[macro_export]
macro_rules! fail {
    ($($observed:expr),+ ; try = $($hint:expr),+) => {
        panic!("\n{}\nTry: {}\n", format!($($observed),+), format!($($hint),+))
    };
    ($($observed:expr),+) => {
        panic!("\n{}\n", format!($($observed),+))
    };
}

/// Like `assert!`, but with a diagnosis instead of `assertion failed`.
#[macro_export]
macro_rules! check {
    ($cond:expr, $($rest:tt)+) => {
        if !$cond {
            $crate::fail!($($rest)+);
        }
    };
}
