//! The generated Classroom workflow under GitHub's rules for skipping steps:
//! a failed step skips every later step without an `if:` that says
//! otherwise, unless it has `continue-on-error: true`. The committed file is
//! read step by step and "run" with chosen outcomes, so partial work (ex01
//! and ex02 solved, ex03 not compiling) must still be graded exercise by
//! exercise, and the report must still be uploaded.
//!
//! `tests/scripts/classroom-steps.sh` runs the same steps' commands for real.

mod common;

use std::fs;

use common::course_root;

/// One step of the job, as the generator writes it (one key per line).
#[derive(Debug, Default)]
struct Step {
    name: String,
    id: Option<String>,
    condition: Option<String>,
    continue_on_error: bool,
    uses: Option<String>,
    run: Option<String>,
    command: Option<String>,
    with: Vec<(String, String)>,
}

/// The steps of the workflow's only job. Steps are `      - name:` items;
/// their keys are indented by 8 spaces, `with:` entries by 10.
fn steps(yaml: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_steps = false;
    for line in yaml.lines() {
        if line.trim_end() == "    steps:" {
            in_steps = true;
            continue;
        }
        if !in_steps {
            continue;
        }
        if let Some(name) = line.strip_prefix("      - name: ") {
            steps.push(Step {
                name: name.trim_matches('"').to_string(),
                ..Step::default()
            });
            continue;
        }
        let step = steps.last_mut().expect("a key belongs to a step");
        if let Some(entry) = line.strip_prefix("          ") {
            if let Some((k, v)) = entry.split_once(": ") {
                if k == "command" {
                    step.command = Some(v.to_string());
                }
                step.with.push((k.to_string(), v.to_string()));
            }
        } else if let Some(key) = line.strip_prefix("        ") {
            let (k, v) = key.split_once(':').expect("key: value");
            let v = v.trim().to_string();
            match k {
                "id" => step.id = Some(v),
                "if" => step.condition = Some(v),
                "continue-on-error" => step.continue_on_error = v == "true",
                "uses" => step.uses = Some(v),
                "run" => step.run = Some(v),
                "with" | "env" => {}
                other => panic!("a key the simulation does not know: {other}"),
            }
        }
    }
    steps
}

/// GitHub's rule for whether a step starts: without `if:` only while no
/// step has failed; `always()` and `!cancelled()` also after a failure (the
/// run here is never cancelled). Any other condition is refused, so the
/// simulation cannot silently misread one.
fn starts(step: &Step, job_failed: bool) -> bool {
    match step.condition.as_deref() {
        None => !job_failed,
        Some("always()") | Some("${{ always() }}") | Some("${{ !cancelled() }}") => true,
        Some("${{ success() }}") | Some("success()") => !job_failed,
        Some(other) => panic!("a condition the simulation does not know: {other}"),
    }
}

/// Runs `steps` with `fails` deciding which steps fail; returns the names
/// of the steps that ran.
fn simulate(steps: &[Step], fails: impl Fn(&Step) -> bool) -> Vec<String> {
    let mut job_failed = false;
    let mut ran = Vec::new();
    for step in steps {
        if !starts(step, job_failed) {
            continue;
        }
        ran.push(step.name.clone());
        if fails(step) && !step.continue_on_error {
            job_failed = true;
        }
    }
    ran
}

fn committed() -> Vec<Step> {
    let yaml = fs::read_to_string(course_root().join(".github/workflows/classroom.yml"))
        .expect("the workflow is committed");
    steps(&yaml)
}

#[test]
fn the_simulation_skips_what_github_skips() {
    // Without any `if:`, a failed build skips the grading: what the
    // workflow did before each exercise was graded on its own.
    let old = "    steps:\n      - name: build\n        run: cargo build\n      \
               - name: grade\n        run: cargo test\n";
    let ran = simulate(&steps(old), |s| s.name == "build");
    assert_eq!(ran, ["build"]);
}

#[test]
fn partial_work_is_graded_exercise_by_exercise_and_the_report_is_uploaded() {
    let steps = committed();
    // ex01 and ex02 solved, ex03 does not compile: the up-front build fails,
    // and so does ex03's grading step; every other exercise fails its tests.
    let ran = simulate(&steps, |s| {
        s.run
            .as_deref()
            .is_some_and(|r| r.starts_with("cargo build"))
            || s.command
                .as_deref()
                .is_some_and(|c| !c.ends_with("-p ex01") && !c.ends_with("-p ex02"))
    });
    let graders: Vec<&Step> = steps.iter().filter(|s| s.command.is_some()).collect();
    assert_eq!(graders.len(), 13, "one grading step per exercise");
    for g in &graders {
        assert!(ran.contains(&g.name), "{} was skipped: {ran:?}", g.name);
        assert!(
            g.uses.as_deref() == Some("classroom-resources/autograding-command-grader@v1"),
            "{g:?}"
        );
    }
    for needed in [
        "Autograding Reporter",
        "Course report (JSON, for the instructor)",
        "Upload the course report",
        "Course summary",
    ] {
        assert!(
            ran.iter().any(|r| r == needed),
            "{needed} was skipped: {ran:?}"
        );
    }
}

#[test]
fn each_exercise_is_worth_its_own_points_and_the_report_has_a_fixed_name() {
    let steps = committed();
    let course = fs::read_to_string(course_root().join("course.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&course).unwrap();
    let exercises = manifest["exercise"].as_array().unwrap();
    for e in exercises {
        let id = e["id"].as_str().unwrap();
        let step = steps
            .iter()
            .find(|s| s.id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no grading step for {id}"));
        assert_eq!(
            step.command.as_deref(),
            Some(&*format!("cargo test -p {id}"))
        );
        let points = e["points"].as_integer().unwrap().to_string();
        assert!(
            step.with.contains(&("max-score".into(), points.clone())),
            "{id}: {:?}",
            step.with
        );
    }
    // The cache is keyed on Cargo.lock (Swatinem/rust-cache hashes it).
    assert!(steps
        .iter()
        .any(|s| s.uses.as_deref() == Some("Swatinem/rust-cache@v2")));
    let upload = steps
        .iter()
        .find(|s| s.uses.as_deref() == Some("actions/upload-artifact@v4"))
        .expect("the report is uploaded");
    assert!(upload
        .with
        .contains(&("name".into(), "course-report".into())));
    assert!(upload
        .with
        .contains(&("path".into(), "target/report.json".into())));
    let report = steps
        .iter()
        .find(|s| {
            s.run
                .as_deref()
                .is_some_and(|r| r.contains("--format json"))
        })
        .expect("a step writes the JSON report");
    assert!(
        report
            .run
            .as_deref()
            .unwrap()
            .contains("-o target/report.json"),
        "{report:?}"
    );
}
