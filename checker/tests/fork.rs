//! A course author's fork: `dev remove` takes exercises out and the course's
//! rules still hold. Driven by course.toml alone (whatever exercises the
//! course has): every exercise but the first is removed from a scratch copy,
//! then `dev check` and `dev verify` must hold on what is left.

mod common;

use std::fs;

use checker::engine::manifest::Course;
use common::*;
use serial_test::serial;

#[test]
#[serial]
fn removing_exercises_leaves_a_course_whose_rules_hold() {
    let course = shared_scratch("fork");
    let root = course.path();
    let before = Course::load(root).expect("the copy's course.toml is valid");
    let (first, rest) = before
        .exercises
        .split_first()
        .expect("the course has an exercise");
    for e in rest {
        let out = run(checker(root).args(["dev", "remove", &e.id]));
        assert_eq!(out.code, 0, "dev remove {}: {}", e.id, out.stderr);
        assert_contains(
            &out.stdout,
            &format!("Removed exercise {}", e.id),
            "dev remove",
        );
        for gone in [e.path.clone(), e.reference(), e.stub()] {
            assert!(
                !root.join(&gone).exists(),
                "{} is still there",
                gone.display()
            );
        }
        let suite = root.join("tests").join(&e.id);
        assert!(
            !suite.exists() && !suite.with_extension("rs").exists(),
            "the suite of {} is still there",
            e.id
        );
    }
    let after = Course::load(root).expect("course.toml still reads");
    let ids: Vec<&str> = after.exercises.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [first.id.as_str()], "only the first exercise is left");
    assert_eq!(after.info, before.info, "the [course] table stays");
    let mistakes: Vec<String> = fs::read_dir(root.join("solutions/mistakes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        mistakes
            .iter()
            .all(|m| m.starts_with(&format!("{}-", first.id)) || m == "snapshots"),
        "mistakes of removed exercises are gone: {mistakes:?}"
    );
    let snapshots: Vec<String> = fs::read_dir(root.join("solutions/mistakes/snapshots"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        snapshots
            .iter()
            .all(|m| m.starts_with(&format!("{}-", first.id))),
        "snapshots of removed exercises' mistakes are gone: {snapshots:?}"
    );
    let workflow = fs::read_to_string(root.join(".github/workflows/classroom.yml")).unwrap();
    for e in rest {
        assert_lacks(&workflow, &format!("-p {}", e.id), "the Classroom workflow");
    }

    // The last exercise cannot go: a course needs one.
    let last = run(checker(root).args(["dev", "remove", &first.id]));
    assert_ne!(last.code, 0, "removing the only exercise must fail");
    assert_contains(&last.stderr, "only exercise", "the refusal");
    assert!(root.join(&first.path).exists(), "nothing was removed");

    succeeds(root, &["dev", "check"]);
    succeeds(root, &["dev", "verify"]);
}
