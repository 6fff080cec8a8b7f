//! Which exercise the student is working on, and where the course goes next.
//!
//! A student who is fixing ex07's compile error wants that error, not a
//! reminder that ex03 is untouched. So the exercise *being worked on* (the
//! one changed last, or in `watch` the one just saved) gets the full
//! diagnosis, and the first unsolved exercise in course order is shown after
//! it as where the course continues.

use crate::engine::check::Report;

/// The unsolved exercise the student changed last, if they touched any.
/// `just_saved` (from `watch`) wins, solved or not.
pub fn working_on<'a>(reports: &'a [Report], just_saved: Option<&str>) -> Option<&'a Report> {
    if let Some(id) = just_saved {
        if let Some(r) = reports.iter().find(|r| r.exercise.id == id) {
            return Some(r);
        }
    }
    reports
        .iter()
        .filter(|r| r.touched && !r.status().is_solved())
        .max_by_key(|r| r.changed_at)
}

/// The first unsolved exercise in course order.
pub fn next_in_course(reports: &[Report]) -> Option<&Report> {
    reports.iter().find(|r| !r.status().is_solved())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::manifest::Exercise;
    use crate::engine::verdict::{Status, Verdict};
    use std::path::PathBuf;
    use std::time::{Duration, UNIX_EPOCH};

    fn report(id: &str, status: Status, touched: bool, changed: u64) -> Report {
        Report {
            exercise: Exercise {
                id: id.into(),
                title: id.into(),
                path: PathBuf::from(id),
                topic: String::new(),
                checklist: Vec::new(),
                hints: Vec::new(),
                points: 1,
                limit_secs: 60,
                exclusive: false,
            },
            verdict: Verdict::of_status(status),
            reused: false,
            touched,
            changed_at: UNIX_EPOCH + Duration::from_secs(changed),
        }
    }

    #[test]
    fn the_exercise_changed_last_is_the_one_worked_on() {
        let reports = [
            report("ex01", Status::Solved, true, 300),
            report("ex03", Status::NotStarted, false, 900),
            report("ex04", Status::Failing, true, 200),
            report("ex07", Status::Failing, true, 250),
        ];
        assert_eq!(working_on(&reports, None).unwrap().exercise.id, "ex07");
        assert_eq!(next_in_course(&reports).unwrap().exercise.id, "ex03");
        assert_eq!(
            working_on(&reports, Some("ex04")).unwrap().exercise.id,
            "ex04"
        );
        assert_eq!(
            working_on(&reports, Some("ex01")).unwrap().exercise.id,
            "ex01"
        );
    }

    #[test]
    fn untouched_stubs_are_not_being_worked_on() {
        let reports = [report("ex01", Status::NotStarted, false, 5)];
        assert!(working_on(&reports, None).is_none());
    }
}
