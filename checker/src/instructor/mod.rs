//! The instructor's commands: `report` (one student's results in the formats
//! CI dashboards, GitHub Classroom and Exercism read), `class` (many
//! students' reports rolled up) and `class fetch` (every student's newest
//! report, downloaded from GitHub).

pub mod causes;
pub mod class;
pub mod fetch;
pub mod html;
pub mod progress;
pub mod report;
