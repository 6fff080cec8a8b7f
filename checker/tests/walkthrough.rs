//! CONTRIBUTING.md's walkthrough, followed to the letter on a scratch copy of
//! the course, so the document cannot rot: its `sh` blocks run in order (with
//! `cargo run --` meaning this checker), `rust file=PATH` blocks are written
//! to PATH, and `toml set=ID` / `toml entry=ID` blocks change the manifest.

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
fn the_contributing_walkthrough_works() {
    let course = shared_scratch("walkthrough");
    let doc = fs::read_to_string(course_root().join("CONTRIBUTING.md")).unwrap();
    let steps = blocks(&doc, "Walkthrough");
    assert!(steps.len() >= 8, "the walkthrough lost its steps");
    // `cargo run -- ARGS` in the document is the checker under test.
    let preamble = format!(
        "set -euo pipefail\ncargo() {{ if [ \"$1\" = run ] && [ \"$2\" = -- ]; then shift 2; {:?} \"$@\"; \
         else command cargo \"$@\"; fi; }}\n",
        env!("CARGO_BIN_EXE_checker")
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
                    .output()
                    .expect("bash runs");
                assert!(
                    out.status.success(),
                    "this walkthrough step failed:\n{}\nstdout:\n{}\nstderr:\n{}",
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
            _ => panic!(
                "a walkthrough block this test cannot follow: ```{}",
                step.info
            ),
        }
    }
    // The steps did what the document says they do.
    let list = run(checker(course.path()).arg("list"));
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stdout.contains("Deadlines for everything"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("First response wins"),
        "{}",
        list.stdout
    );
    let workflow =
        fs::read_to_string(course.path().join(".github/workflows/classroom.yml")).unwrap();
    assert!(workflow.contains("command: cargo test -p ex14"));
    assert!(workflow
        .contains("command: cargo test -p ex02\n          timeout: 3\n          max-score: 15"));
}
