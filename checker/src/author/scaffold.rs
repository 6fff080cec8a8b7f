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
    Ok(Created {
        id: id.to_string(),
        files: created,
    })
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
