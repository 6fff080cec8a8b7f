//! CONTRIBUTING.md's "Start your own course", followed to the letter on a
//! scratch copy of the repository (whatever exercises it has), so the
//! document cannot rot: its `sh` blocks run in order (with `cargo run --`
//! meaning this checker), `rust file=PATH` blocks are written to PATH, and
//! `toml set=ID` / `toml entry=ID` / `toml course` blocks change the manifest.
//!
//! The section ends with `cargo test` on the course it made. That run is
//! long (it builds and runs every test of the repository once more), so it is
//! done only when `CHECKER_WALKTHROUGH_CARGO_TEST=1` (CI sets it in a step of
//! its own, see `.ci/run`); otherwise the step says it was left out. Inside
//! that nested `cargo test` this test stands aside: the course there is the
//! one the walkthrough made, and its own run is the one being executed.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use common::*;
use serial_test::serial;

struct Block {
    info: String,
    body: String,
}

/// The fenced blocks of the section whose heading starts with `heading`.
fn blocks(markdown: &str, heading: &str) -> Vec<Block> {
    let section = markdown
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("CONTRIBUTING.md has no section `## {heading}`"));
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for line in section.lines() {
        match (line.strip_prefix("```"), current.take()) {
            (Some(info), None) => {
                current = Some(Block {
                    info: info.trim().to_string(),
                    body: String::new(),
                })
            }
            (Some(_), Some(block)) => blocks.push(block),
            (None, Some(mut block)) => {
                block.body.push_str(line);
                block.body.push('\n');
                current = Some(block);
            }
            (None, None) => {}
        }
    }
    assert!(
        current.is_none(),
        "an unclosed code block in `## {heading}`"
    );
    blocks
}

/// Replaces the `[course]` table of the copy's course.toml.
fn set_course_table(course: &Path, block: &str) {
    let path = course.join("course.toml");
    let mut manifest: toml::Table = toml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let table: toml::Table = toml::from_str(block).expect("the block is TOML");
    manifest.insert("course".into(), toml::Value::Table(table));
    fs::write(&path, toml::to_string(&manifest).unwrap()).unwrap();
}

fn edit_manifest(course: &Path, id: &str, block: &str, replace: bool) {
    let path = course.join("course.toml");
    let mut manifest: toml::Table = toml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let change: toml::Table = toml::from_str(block).expect("the block is TOML");
    let entries = manifest["exercise"].as_array_mut().unwrap();
    let entry = entries
        .iter_mut()
        .find(|e| e["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no exercise {id} in course.toml"))
        .as_table_mut()
        .unwrap();
    if replace {
        *entry = change;
    } else {
        entry.extend(change);
    }
    fs::write(&path, toml::to_string(&manifest).unwrap()).unwrap();
}

#[test]
#[serial]
fn starting_your_own_course_works() {
    if std::env::var_os(NESTED).is_some() {
        eprintln!("left out: this is the `cargo test` the walkthrough runs on the course it made");
        return;
    }
    let course = shared_scratch("walkthrough");
    let doc = fs::read_to_string(course_root().join("CONTRIBUTING.md")).unwrap();
    let steps = blocks(&doc, "Start your own course");
    assert!(steps.len() >= 10, "the walkthrough lost its steps");
    let with_cargo_test = std::env::var_os("CHECKER_WALKTHROUGH_CARGO_TEST").is_some();
    // `cargo run [--quiet] -- ARGS` in the document is the checker under test;
    // `cargo test` is the repository's tests, run (nested) only when asked.
    let preamble = format!(
        "set -euo pipefail\n\
         cargo() {{\n\
           if [ \"$1\" = run ]; then\n\
             shift; while [ \"$1\" = --quiet ]; do shift; done\n\
             [ \"$1\" = -- ] && shift\n\
             {checker:?} \"$@\"\n\
           elif [ \"$1\" = test ] && [ {with_cargo_test} = false ]; then\n\
             echo 'cargo test: left out (CHECKER_WALKTHROUGH_CARGO_TEST=1 runs it)'\n\
           else command cargo \"$@\"; fi\n\
         }}\n",
        checker = env!("CARGO_BIN_EXE_checker"),
    );
    for step in steps {
        let words: Vec<&str> = step.info.split_whitespace().collect();
        match words.as_slice() {
            ["sh"] => {
                let out = Process::new("bash")
                    .arg("-c")
                    .arg(format!("{preamble}{}", step.body))
                    .current_dir(course.path())
                    .env("CHECKER_TARGET_DIR", course_target())
                    .env("CARGO_TARGET_DIR", course_target())
                    .env(NESTED, "1")
                    .output()
                    .expect("bash runs");
                assert!(
                    out.status.success(),
                    "this walkthrough step failed:\n{}\nstdout:\n{}\nstderr:\n{}",
                    step.body,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                // Shown with `--nocapture` (CI): what the closing `cargo test` ran.
                println!(
                    "$ {}{}{}",
                    step.body,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            [_, target] if target.starts_with("file=") => {
                let path = course.path().join(&target["file=".len()..]);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, &step.body).unwrap();
            }
            ["toml", target] if target.starts_with("set=") => {
                edit_manifest(course.path(), &target["set=".len()..], &step.body, false);
            }
            ["toml", target] if target.starts_with("entry=") => {
                edit_manifest(course.path(), &target["entry=".len()..], &step.body, true);
            }
            ["toml", "course"] => set_course_table(course.path(), &step.body),
            _ => panic!(
                "a walkthrough block this test cannot follow: ```{}",
                step.info
            ),
        }
    }
    // The steps did what the document says they do: one exercise, the
    // author's, under the author's title, in the workflow with its points.
    let ids = run(checker(course.path()).args(["dev", "ids"]));
    assert_eq!(ids.stdout.split_whitespace().collect::<Vec<_>>(), ["race"]);
    let list = run(checker(course.path()).arg("list"));
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_contains(&list.stdout, "First response wins", "the list");
    let report = run(checker(course.path()).args(["report", "--format", "markdown"]));
    assert_contains(&report.stdout, "Racing futures", "the report's title");
    let workflow =
        fs::read_to_string(course.path().join(".github/workflows/classroom.yml")).unwrap();
    assert_contains(
        &workflow,
        "command: cargo test -p race\n          timeout: 3\n          max-score: 15",
        "the Classroom workflow",
    );
}

/// Set for the sh steps, so that the nested `cargo test` knows it is one.
const NESTED: &str = "CHECKER_WALKTHROUGH_NESTED";
