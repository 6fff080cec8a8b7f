//! The instructor's commands: `report` (one student's results in the formats
//! CI dashboards, GitHub Classroom and Exercism read) and `class` (many
//! students' reports rolled up).

pub mod causes;
pub mod class;
pub mod html;
pub mod report;
