//! The student's commands: where they stand (the default command), `watch`,
//! `hint`, `reset`, `list`; and the student view they all share.

pub mod focus;
pub mod hint;
pub mod list;
pub mod reset;
pub mod view;
pub mod watch;
