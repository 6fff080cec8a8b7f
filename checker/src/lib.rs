//! The course checker as a library: everything the `checker` binary does,
//! without printing. The binary (`main.rs`) parses the command line, calls
//! in here and renders what comes back; tests call in here directly.
//!
//! The layers, each importing only the ones above it:
//!
//! - [`engine`]: the course manifest, cargo, running a suite under a time
//!   limit, reading libtest and the graders' facts, verdicts and their cache,
//!   scratch copies of the course. It returns values and emits events.
//! - [`student`]: the student's commands (status, watch, hint, reset, list)
//!   and the student view.
//! - [`instructor`]: reports in the formats dashboards read, and the class
//!   roll-up.
//! - [`author`]: the course author's commands (`checker dev ...`): verify,
//!   soak, mutants, new, workflow, check.

pub mod author;
pub mod engine;
pub mod instructor;
pub mod student;
