//! `checker dev check`: the course's own rules, which nothing else enforces.
//! Each rule lists its problems, naming the file and the fix.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::author::{candidates, workflow};
use crate::engine::fingerprint;
use crate::engine::manifest::Course;

/// One rule and what breaks it.
#[derive(Debug, Clone)]
pub struct RuleResult {
    pub rule: &'static str,
    pub problems: Vec<String>,
}

/// Checks every rule.
pub fn check(course: &Course) -> Vec<RuleResult> {
    vec![
        RuleResult {
            rule: "each stub is kept twice, identically (exercise file and solutions/stubs/)",
            problems: stubs(course),
        },
        RuleResult {
            rule: "every exercise declares the same dependencies",
            problems: dependencies(course),
        },
        RuleResult {
            rule: "the README's exercise table follows course.toml",
            problems: readme_table(course),
        },
        RuleResult {
            rule: "solutions/ holds only references, stubs and catalogued mistakes",
            problems: solutions_folder(course),
        },
        RuleResult {
            rule: "the solutions are rustfmt-clean",
            problems: rustfmt(course),
        },
        RuleResult {
            rule: "the Classroom workflow follows course.toml",
            problems: classroom_workflow(course),
        },
        RuleResult {
            rule: "CONTRIBUTING's table of causes follows grading-protocol's vocabulary",
            problems: causes_table(course),
        },
    ]
}

pub fn render(results: &[RuleResult]) -> String {
    let mut out = String::new();
    for r in results {
        let verdict = if r.problems.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        let _ = writeln!(out, "{verdict} {}", r.rule);
        for p in &r.problems {
            let _ = writeln!(out, "       {p}");
        }
    }
    let failed = results.iter().filter(|r| !r.problems.is_empty()).count();
    if failed == 0 {
        let _ = writeln!(out, "\ndev check: all {} rules hold.", results.len());
    } else {
        let _ = writeln!(
            out,
            "\ndev check: {failed} of {} rules are broken.",
            results.len()
        );
    }
    out
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn stubs(course: &Course) -> Vec<String> {
    let mut problems = Vec::new();
    for e in &course.exercises {
        let (file, stub) = (e.student_file(), e.stub());
        match (
            fs::read(course.root.join(&file)),
            fs::read(course.root.join(&stub)),
        ) {
            (Ok(a), Ok(b)) if a == b => {}
            (Ok(_), Ok(_)) => problems.push(format!(
                "{} differs from {}: change both together (or, if you solved the exercise in \
                 place, `cargo run -- reset {}`)",
                shown(&file),
                shown(&stub),
                e.id
            )),
            (Err(_), _) => problems.push(format!(
                "{} is missing: `cargo run -- reset {}` puts the stub back",
                shown(&file),
                e.id
            )),
            (_, Err(_)) => problems.push(format!(
                "{} is missing: copy the untouched {} there",
                shown(&stub),
                shown(&file)
            )),
        }
    }
    problems
}

/// The dependency tables of an exercise's manifest.
fn dependency_tables(text: &str) -> Result<BTreeMap<String, toml::Value>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut tables = BTreeMap::new();
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(v) = table.get(key) {
            tables.insert(format!("[{key}]"), v.clone());
        }
    }
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        for (cfg, t) in targets {
            for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(v) = t.get(key) {
                    tables.insert(format!("[target.'{cfg}'.{key}]"), v.clone());
                }
            }
        }
    }
    Ok(tables)
}

fn dependencies(course: &Course) -> Vec<String> {
    let mut problems = Vec::new();
    let mut first: Option<(PathBuf, BTreeMap<String, toml::Value>)> = None;
    for e in &course.exercises {
        let manifest = e.path.join("Cargo.toml");
        let tables = match fs::read_to_string(course.root.join(&manifest))
            .map_err(|e| e.to_string())
            .and_then(|t| dependency_tables(&t))
        {
            Ok(t) => t,
            Err(err) => {
                problems.push(format!("{}: {err}", shown(&manifest)));
                continue;
            }
        };
        match &first {
            None => first = Some((manifest, tables)),
            Some((first_path, first_tables)) => {
                let mut names: Vec<&String> = tables.keys().chain(first_tables.keys()).collect();
                names.sort();
                names.dedup();
                for name in names {
                    if tables.get(name) != first_tables.get(name) {
                        problems.push(format!(
                            "{}: {name} differs from {}: add a dependency to every exercise or \
                             to none, so cargo builds it once for all of them",
                            shown(&manifest),
                            shown(first_path)
                        ));
                    }
                }
            }
        }
    }
    problems
}

fn causes_table(course: &Course) -> Vec<String> {
    match fs::read_to_string(course.root.join("CONTRIBUTING.md")) {
        Ok(doc) => crate::author::causes_doc::problems(&doc),
        // A fork without a contributors' guide has nothing to keep in step.
        Err(_) => Vec::new(),
    }
}

/// The exercise folders the README's table lists, in its order.
pub fn readme_exercises(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .filter_map(|l| {
            let start = l.find("`exercises/")? + 1;
            let end = start + l[start..].find('`')?;
            Some(l[start..end].trim_end_matches('/').to_string())
        })
        .collect()
}

fn readme_table(course: &Course) -> Vec<String> {
    let Ok(text) = fs::read_to_string(course.root.join("README.md")) else {
        return vec!["README.md is missing".into()];
    };
    let listed = readme_exercises(&text);
    let wanted: Vec<String> = course.exercises.iter().map(|e| shown(&e.path)).collect();
    if listed == wanted {
        return Vec::new();
    }
    let mut problems = Vec::new();
    for (i, path) in wanted.iter().enumerate() {
        match listed.iter().position(|l| l == path) {
            None => problems.push(format!(
                "README.md's exercise table lacks `{path}` (number {} in course.toml)",
                i + 1
            )),
            Some(at) if at != i => problems.push(format!(
                "README.md's exercise table lists `{path}` as number {}, course.toml as number {}",
                at + 1,
                i + 1
            )),
            Some(_) => {}
        }
    }
    for path in &listed {
        if !wanted.contains(path) {
            problems.push(format!(
                "README.md's exercise table lists `{path}`, which course.toml does not have"
            ));
        }
    }
    problems
}

fn solutions_folder(course: &Course) -> Vec<String> {
    let root = &course.root;
    let ids: Vec<&str> = course.exercises.iter().map(|e| e.id.as_str()).collect();
    let mut problems = Vec::new();
    for file in fingerprint::files_under(root, Path::new("solutions")) {
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let parent = file.parent().map(shown).unwrap_or_default();
        // The reviewed output of a mistake (see `diagnoses`), next to it.
        if parent == "solutions/mistakes/snapshots" {
            let mistake = name.strip_suffix(".txt").map(|stem| {
                Path::new("solutions")
                    .join("mistakes")
                    .join(format!("{stem}.rs"))
            });
            if !mistake.is_some_and(|m| root.join(m).is_file()) {
                problems.push(format!(
                    "{}: a snapshot of no catalogued mistake (solutions/mistakes/snapshots/<mistake>.txt \
                     keeps the output of solutions/mistakes/<mistake>.rs): delete it",
                    shown(&file)
                ));
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".rs") else {
            problems.push(format!(
                "{}: not a Rust file; solutions/ holds only .rs files",
                shown(&file)
            ));
            continue;
        };
        match parent.as_str() {
            "solutions" | "solutions/stubs" => {
                if !ids.contains(&stem) {
                    problems.push(format!(
                        "{}: names no exercise of course.toml (known: {})",
                        shown(&file),
                        ids.join(", ")
                    ));
                }
            }
            "solutions/mistakes" => {
                let exercise = ids
                    .iter()
                    .find(|id| stem.starts_with(&format!("{id}-")));
                let what = exercise.map(|id| &stem[id.len() + 1..]);
                let well_named = what.is_some_and(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
                if !well_named {
                    problems.push(format!(
                        "{}: a mistake is named <exercise id>-<what>.rs, e.g. ex06-lock-order.rs \
                         (lowercase, digits and -), or verify never runs it",
                        shown(&file)
                    ));
                    continue;
                }
                match fs::read_to_string(root.join(&file)) {
                    Ok(text) => {
                        match candidates::parse_header(&text) {
                            Err(e) => problems.push(format!("{}: {e:#}", shown(&file))),
                            Ok(header) => {
                                if let Err(e) = header.cause {
                                    problems.push(format!("{}: {e}", shown(&file)));
                                }
                            }
                        }
                    }
                    Err(e) => problems.push(format!("{}: {e}", shown(&file))),
                }
            }
            _ => problems.push(format!(
                "{}: stray file: solutions/ holds <id>.rs, stubs/<id>.rs and mistakes/<id>-<what>.rs",
                shown(&file)
            )),
        }
    }
    problems
}

fn rustfmt(course: &Course) -> Vec<String> {
    let files: Vec<PathBuf> = fingerprint::files_under(&course.root, Path::new("solutions"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|x| x == "rs"))
        .collect();
    if files.is_empty() {
        return Vec::new();
    }
    let output = Command::new("rustfmt")
        .args(["--edition", "2021", "--check", "-l"])
        .args(&files)
        .current_dir(&course.root)
        .output();
    match output {
        Err(e) => vec![format!(
            "cannot run rustfmt ({e}): install it with `rustup component add rustfmt`"
        )],
        Ok(out) if out.status.success() => Vec::new(),
        Ok(out) => {
            let listed = String::from_utf8_lossy(&out.stdout);
            let mut problems: Vec<String> = listed
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let path = Path::new(l.trim());
                    let relative = path.strip_prefix(&course.root).unwrap_or(path);
                    format!(
                        "{} is not rustfmt-clean: `rustfmt --edition 2021 {}`",
                        shown(relative),
                        shown(relative)
                    )
                })
                .collect();
            if problems.is_empty() {
                problems.push(format!(
                    "rustfmt failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            problems
        }
    }
}

fn classroom_workflow(course: &Course) -> Vec<String> {
    match workflow::run(course, true) {
        Ok(true) => Vec::new(),
        Ok(false) => vec![format!(
            "{} is stale: `cargo run -- dev workflow` rewrites it",
            shown(&workflow::path())
        )],
        Err(e) => vec![format!("{e:#}")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_table_is_read_in_order() {
        let text = "| # | exercise |\n|---|---|\n| 1 | `exercises/ex01-a` | x |\n| 2 | `exercises/ex02-b/` | y |\nnot a row `exercises/ex09`\n";
        assert_eq!(
            readme_exercises(text),
            ["exercises/ex01-a", "exercises/ex02-b"]
        );
    }
}
