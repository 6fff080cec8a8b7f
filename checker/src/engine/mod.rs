//! The engine: what checking an exercise means, with no printing. Callers
//! get values back, and [`event::Event`]s while the work goes on.

pub mod cargo_build;
pub mod check;
pub mod event;
pub mod fingerprint;
pub mod interrupt;
pub mod kept_bins;
pub mod libtest;
pub mod manifest;
pub mod process;
pub mod schedule;
pub mod scratch;
pub mod student_env;
pub mod suite_run;
pub mod verdict;
pub mod verdict_cache;
