//! `checker new`: a new exercise, end to end, in the course's layout: the
//! crate with its sheet and stub, the graded suite, a placeholder reference
//! and the manifest entry. `verify` then lists what is still to write.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::engine::manifest::{Course, FILE_NAME};

/// What `new` created, relative to the course root.
pub struct Created {
    pub id: String,
    pub files: Vec<PathBuf>,
    /// Whether the README's exercise table got the new row (`dev check`
    /// requires it); when the README has no such table, the author adds it.
    pub readme_row: bool,
}

pub fn new_exercise(course: &Course, id: &str, title: &str) -> Result<Created> {
    let valid = !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        bail!("`{id}` cannot be an exercise id: use letters, digits and _, starting with a letter (e.g. ex14)");
    }
    if title.trim().is_empty() {
        bail!("give the exercise a title, e.g. --title \"Rate limiting\"");
    }
    if course.exercises.iter().any(|e| e.id == id) {
        bail!("{FILE_NAME} already has an exercise `{id}`");
    }
    let template = course
        .exercises
        .first()
        .context("the course has no exercise to copy the dependencies from")?;
    let dir = Path::new("exercises").join(format!("{id}-{}", slug(title)));
    let suite = Path::new("tests").join(format!("{id}.rs"));
    let reference = Path::new("solutions").join(format!("{id}.rs"));
    let stub_copy = Path::new("solutions")
        .join("stubs")
        .join(format!("{id}.rs"));
    for path in [&dir, &suite, &reference, &stub_copy] {
        if course.root.join(path).exists() {
            bail!(
                "{} already exists: choose another id or remove it",
                path.display()
            );
        }
    }

    let cargo_toml = cargo_toml(&course.root.join(&template.path), id, title)?;
    let stub = stub(id, title);
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("Cargo.toml"), cargo_toml),
        (dir.join("src").join("lib.rs"), stub.clone()),
        (stub_copy, stub.clone()),
        (reference, reference_placeholder(&stub)),
        (suite, suite_skeleton(id)),
    ];
    for (path, text) in &files {
        let full = course.root.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&full, text).with_context(|| format!("cannot write {}", full.display()))?;
    }
    append_entry(&course.root.join(FILE_NAME), id, title, &dir)?;
    let mut created: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    created.push(PathBuf::from(FILE_NAME));
    // The Classroom workflow is generated from the manifest: keep it current.
    let workflow = crate::author::workflow::path();
    if course.root.join(&workflow).exists() {
        crate::author::workflow::run(&Course::load(&course.root)?, false)?;
        created.push(workflow);
    }
    let readme = course.root.join("README.md");
    let row = fs::read_to_string(&readme)
        .ok()
        .and_then(|text| with_readme_row(&text, &dir, course.exercises.len() + 1));
    if let Some(text) = &row {
        fs::write(&readme, text).with_context(|| format!("cannot write {}", readme.display()))?;
        created.push(PathBuf::from("README.md"));
    }
    Ok(Created {
        id: id.to_string(),
        files: created,
        readme_row: row.is_some(),
    })
}

/// The README with a row for the new exercise after the last row of its
/// exercise table (the rows naming `exercises/...`), shaped like that row:
/// the number, the folder, and `TODO` in the course's own columns. `None`
/// when the README has no such table.
fn with_readme_row(text: &str, dir: &Path, number: usize) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let last = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with('|') && l.contains("`exercises/"))?;
    let template = lines[last].trim_end();
    let cells: Vec<&str> = template
        .trim_start()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .collect();
    let folder = dir.to_string_lossy().replace('\\', "/");
    let row: Vec<String> = cells
        .iter()
        .map(|cell| {
            let cell = cell.trim();
            if cell.contains("`exercises/") {
                format!("`{folder}`")
            } else if !cell.is_empty() && cell.chars().all(|c| c.is_ascii_digit()) {
                number.to_string()
            } else {
                "TODO".to_string()
            }
        })
        .collect();
    let mut out: String = lines[..=last].concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("| {} |\n", row.join(" | ")));
    out.push_str(&lines[last + 1..].concat());
    Some(out)
}

/// What the author does next, every step `dev check` and `dev verify` need.
pub fn next_steps(created: &Created) -> String {
    let id = &created.id;
    let readme = if created.readme_row {
        "the README's exercise table has a row for it with TODO cells: fill them in"
    } else {
        "add a row for it to README.md's exercise table (`dev check` requires it)"
    };
    format!(
        "\nNext:\n  \
         1. write the sheet and the stub (src/lib.rs), and copy it byte for byte to \
         solutions/stubs/{id}.rs;\n  \
         2. write the graded suite (tests/{id}.rs) and the reference (solutions/{id}.rs);\n  \
         3. catalogue at least one mistake (solutions/mistakes/{id}-<what>.rs, see CONTRIBUTING);\n  \
         4. fill in its topic, checklist and hints in course.toml;\n  \
         5. {readme};\n  \
         6. run `cargo run -- dev verify --only {id}` and `cargo run -- dev check` until both hold."
    )
}

/// `Rate limiting!` → `rate-limiting`.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 30 {
            break;
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// The new crate's manifest: the dependency tables of an existing exercise,
/// copied as they are, so every exercise keeps the same list (and cargo
/// unifies features the same way whichever exercise is built).
fn cargo_toml(template_dir: &Path, id: &str, title: &str) -> Result<String> {
    let path = template_dir.join("Cargo.toml");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let mut deps = toml::Table::new();
    for key in ["dependencies", "dev-dependencies"] {
        if let Some(value) = table.get(key) {
            deps.insert(key.to_string(), value.clone());
        }
    }
    let title = title.replace('\\', "\\\\").replace('"', "\\\"");
    Ok(format!(
        "[package]\n\
         name = \"{id}\"\n\
         description = \"{title}\"\n\
         version.workspace = true\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         publish = false\n\
         license.workspace = true\n\
         # The graded suite lives in the repository's tests/ folder.\n\
         autotests = false\n\
         \n\
         [lib]\n\
         path = \"src/lib.rs\"\n\
         doctest = false\n\
         test = false\n\
         bench = false\n\
         \n\
         [[test]]\n\
         name = \"{id}\"\n\
         path = \"../../tests/{id}.rs\"\n\
         \n\
         # Copied from {}: keep these lists identical in every exercise.\n\
         {}",
        template_dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        toml::to_string(&deps)?
    ))
}

fn stub(id: &str, title: &str) -> String {
    format!(
        r#"//! # {title}
//!
//! TODO(course author): the exercise sheet. Say what the Python course does,
//! what its Rust counterpart is, what to write, and which tools help. It is
//! what `cargo doc -p {id} --no-deps --open` shows the student.
//!
//! ## Your task
//!
//! Implement [`solve`]. Run `cargo test -p {id}` until it is green.

/// TODO(course author): the function the student writes.
pub fn solve(input: u64) -> u64 {{
    let _ = input;
    todo!("the student's work goes here")
}}
"#
    )
}

fn reference_placeholder(stub: &str) -> String {
    format!(
        "// TODO(course author): the reference solution, a complete student file.\n\
         // `cargo run -- dev verify` fails until every test passes on it.\n{stub}"
    )
}

fn suite_skeleton(id: &str) -> String {
    format!(
        r#"//! The graded suite of {id}. TODO(course author): test correctness and how
//! the work runs; every call into the student's code goes through a watchdog.

use std::time::Duration;

use grading::{{check, within}};

#[test]
fn solve_answers() {{
    let answer = within(
        Duration::from_secs(2),
        "solve did not return: does it block or loop forever?",
        || {id}::solve(21),
    );
    check!(
        answer == 42,
        "solve(21) returned {{answer}}, expected 42";
        try = "TODO(course author): what the student should try"
    );
}}
"#
    )
}

/// Appends the entry as text, so the author's comments and layout stay.
fn append_entry(manifest: &Path, id: &str, title: &str, dir: &Path) -> Result<()> {
    let mut text = fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    text.push_str(&format!(
        "\n[[exercise]]\n\
         id = \"{id}\"\n\
         title = {}\n\
         path = {}\n\
         points = 10\n\
         topic = \"TODO: one line on what it teaches\"\n\
         checklist = []\n\
         # TODO: a nudge, then the idiom, then a near-solution.\n\
         hints = []\n",
        quoted(title),
        quoted(&dir.to_string_lossy().replace('\\', "/")),
    ));
    fs::write(manifest, text).with_context(|| format!("cannot write {}", manifest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_row_follows_the_last_one() {
        let text = "# Course\n\n| # | exercise | you learn |\n|---|---|---|\n\
                    | 1 | `exercises/ex01-a` | async |\n| 2 | `exercises/ex02-b` | time |\n\nMore.\n";
        let out = with_readme_row(text, Path::new("exercises/ex14-c"), 3).unwrap();
        assert!(
            out.contains(
                "| 2 | `exercises/ex02-b` | time |\n| 3 | `exercises/ex14-c` | TODO |\n\nMore.\n"
            ),
            "{out}"
        );
        assert_eq!(with_readme_row("# No table\n", Path::new("x"), 1), None);
    }
}
