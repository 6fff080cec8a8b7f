//! `checker class` over several folders of reports (snapshots of a class,
//! e.g. one `class fetch` a week): completion per exercise over time, and
//! the students who solved nothing new between the last two snapshots, in
//! text, Markdown, JSON and the HTML page. Also measures the page for a
//! large class (300 students × 13 exercises × 4 snapshots).

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use common::{run, Output};
use serde_json::{json, Value};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

/// A report `class` accepts: `solved` of the exercises `ids`, the others failing.
fn report(student: &str, at: &str, ids: &[&str], solved: &[&str]) -> String {
    let exercises: Vec<Value> = ids
        .iter()
        .map(|id| {
            let ok = solved.contains(id);
            json!({
                "id": id, "title": format!("Exercise {id}"),
                "status": if ok { "solved" } else { "failing" }, "detail": null,
                "points": { "earned": if ok { 10 } else { 0 }, "possible": 10 },
                "duration_secs": 0.1,
                "tests": [{ "name": "it_works", "status": if ok { "passed" } else { "failed" },
                            "message": if ok { Value::Null } else { json!("it did not work") },
                            "duration_secs": null }]
            })
        })
        .collect();
    json!({
        "schema": "concurrency-course-report", "schema_version": 2,
        "checker_version": "0.1.0", "generated_at": at, "commit": null,
        "student": student,
        "points": { "earned": 10 * solved.len(), "possible": 10 * ids.len() },
        "exercises": exercises
    })
    .to_string()
}

fn class(args: &[&Path], extra: &[&str]) -> Output {
    let mut cmd = cargo_bin_cmd!("checker");
    cmd.arg("class").args(args).args(extra).env("NO_COLOR", "1");
    run(&mut cmd)
}

/// Week 1 and week 2 of a class of three on a course of two exercises, the
/// folders named so that their names sort against time: the reports' own
/// times order them.
fn two_weeks(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let ids = ["ex01", "ex02"];
    let (w1, w2) = (dir.join("b-first"), dir.join("a-second"));
    fs::create_dir_all(&w1).unwrap();
    fs::create_dir_all(&w2).unwrap();
    let write = |d: &Path, f: &str, text: String| fs::write(d.join(f), text).unwrap();
    write(
        &w1,
        "ada.json",
        report("ada", "2026-01-03T10:00:00Z", &ids, &["ex01"]),
    );
    write(
        &w2,
        "ada.json",
        report("ada", "2026-01-10T10:00:00Z", &ids, &["ex01", "ex02"]),
    );
    write(
        &w1,
        "x.json",
        report(HOSTILE, "2026-01-03T11:00:00Z", &ids, &["ex01"]),
    );
    write(
        &w2,
        "x.json",
        report(HOSTILE, "2026-01-10T11:00:00Z", &ids, &["ex01"]),
    );
    write(
        &w1,
        "cy.json",
        report("cy", "2026-01-03T12:00:00Z", &ids, &[]),
    );
    write(
        &w2,
        "cy.json",
        report("cy", "2026-01-10T12:00:00Z", &ids, &["ex01"]),
    );
    (w1, w2)
}

#[test]
fn two_snapshots_name_the_stalled_student_in_text_markdown_json_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let (w1, w2) = two_weeks(dir.path());

    let out = class(&[&w2, &w1], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = &out.stdout;
    assert!(text.contains("Completion over 2 snapshots"), "{text}");
    // Columns in time order, whatever the folders' order and names.
    assert!(
        text.contains("exercise    2026-01-03  2026-01-10"),
        "{text}"
    );
    assert!(
        text.contains("ex01               67%        100%"),
        "{text}"
    );
    assert!(
        text.contains(
            "No progress between 2026-01-03 and 2026-01-10 (solved nothing new): 1 student"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{HOSTILE}  on ex02 since 2026-01-03T11:00:00Z (1 solved)"
        )),
        "{text}"
    );
    assert!(
        !text.contains("a newer report"),
        "snapshots are not duplicates: {text}"
    );
    assert!(out.stderr.is_empty(), "nothing skipped: {}", out.stderr);

    let md = class(&[&w1, &w2], &["--format", "markdown"]);
    assert!(
        md.stdout.contains("### Progress over time"),
        "{}",
        md.stdout
    );

    let js = class(&[&w1, &w2], &["--format", "json"]);
    let v: Value = serde_json::from_str(&js.stdout).unwrap();
    assert_eq!(v["progress"]["stalled"][0]["student"], HOSTILE);
    assert_eq!(v["progress"]["stalled"][0]["on"], "ex02");
    assert_eq!(v["progress"]["snapshots"].as_array().unwrap().len(), 2);

    let page = dir.path().join("class.html");
    let html = class(
        &[&w1, &w2],
        &["--format", "html", "-o", page.to_str().unwrap()],
    );
    assert_eq!(html.code, 0, "{}", html.stderr);
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("<h2 id=\"progress\">Progress over time</h2>"));
    assert!(
        html.contains("aria-labelledby=\"progress-title\""),
        "a chart"
    );
    assert!(html.contains("No progress between 2026-01-03 and 2026-01-10"));
    assert!(
        html.contains("<tr><th scope=\"row\">&lt;img src=x onerror=alert(1)&gt;</th><td>ex02 Exercise ex02</td><td>2026-01-03T11:00:00Z</td>"),
        "the stalled student, escaped"
    );
    assert!(!html.contains(HOSTILE), "a name never becomes markup");

    // One folder: a snapshot, no progress section.
    let one = class(&[&w2], &[]);
    assert!(!one.stdout.contains("Completion over"), "{}", one.stdout);
}

/// The page for a large class: 300 students × 13 exercises × 4 snapshots.
/// Prints its size (the closing note of issue 18 quotes it).
#[test]
fn the_page_of_a_large_class_over_four_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (1..=13).map(|i| format!("ex{i:02}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut folders = Vec::new();
    for week in 0..4 {
        let folder = dir.path().join(format!("week{week}"));
        fs::create_dir_all(&folder).unwrap();
        for s in 0..300 {
            // Student s solves one exercise a week, up to s % 13 of them.
            let n = (week * 3).min(s % 14);
            let solved: Vec<&str> = ids[..n].to_vec();
            let at = format!("2026-01-{:02}T10:{:02}:00Z", 3 + 7 * week, s % 60);
            fs::write(
                folder.join(format!("s{s:03}.json")),
                report(&format!("student{s:03}"), &at, &ids, &solved),
            )
            .unwrap();
        }
        folders.push(folder);
    }
    let page = dir.path().join("class.html");
    let paths: Vec<&Path> = folders.iter().map(|p| p.as_path()).collect();
    let out = class(&paths, &["--format", "html", "-o", page.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let size = fs::metadata(&page).unwrap().len();
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("Progress over time"));
    assert_eq!(
        html.matches("<polyline").count(),
        13,
        "one line per exercise"
    );
    println!("class page, 300 students × 13 exercises × 4 snapshots: {size} bytes");
    assert!(size < 2_000_000, "{size} bytes");
}
