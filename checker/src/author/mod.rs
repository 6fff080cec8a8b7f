//! The course author's commands, under `checker dev`: prove the graders
//! (`verify`, `soak`, `mutants`), scaffold or remove an exercise (`new`, `remove`), keep the
//! Classroom workflow (`workflow`) and the course's own rules (`check`).

pub mod candidates;
pub mod causes_doc;
pub mod claims;
pub mod dev_check;
pub mod diagnoses;
pub mod judge;
pub mod load;
pub mod mutants;
pub mod overlay;
pub mod remove;
pub mod scaffold;
pub mod soak;
pub mod verify;
pub mod verify_table;
pub mod workflow;
