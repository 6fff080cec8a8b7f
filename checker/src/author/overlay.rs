//! Mistakes stored as the items they change, laid over the reference.
//!
//! Most catalogued mistakes differ from the reference solution in one
//! function or one method. Storing each as a complete file repeated the
//! reference a hundred times, and a fix to the reference never reached them.
//! So a mistake file holds only the items it replaces; `verify` lays them
//! over the reference:
//!
//! - a free item (`fn`, `struct`, `enum`, `const`, `static`, `type`, `trait`,
//!   `mod`, `macro_rules!`) replaces the reference's item of the same kind
//!   and name;
//! - an `impl` block replaces, one by one, the methods (and associated
//!   consts and types) it holds in the reference's `impl` block for the same
//!   type and trait: the other methods stay as the reference has them;
//! - a `use` is added unless the reference has it already.
//!
//! An item the reference does not have is an error naming it, so a renamed
//! function in the reference cannot silently turn a mistake into a copy of
//! the reference. An item that is meant to be new is listed in the header
//! (`// Adds: fn helper, struct Slot`); one to delete, likewise
//! (`// Removes: impl Drop for Guard`). A mistake that is a different design
//! altogether says `// Whole file` and is used as it is.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use anyhow::{bail, Context, Result};
use quote::ToTokens;
use syn::spanned::Spanned;

/// How an item is known across the reference and the overlay:
/// `fn count_with_threads`, `struct Pool`, `impl Drop for Guard`,
/// `impl Pool::fn checkout`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(String);

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Key {
    pub fn new(text: &str) -> Key {
        // `impl Drop for Guard` and `impl Drop for  Guard` are one key.
        Key(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// What the header of an overlay says beyond the test it names.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Items the mistake adds (not in the reference).
    pub adds: BTreeSet<Key>,
    /// Items of the reference the mistake deletes.
    pub removes: BTreeSet<Key>,
}

/// Reads `// Adds: a, b` and `// Removes: c` from a header.
pub fn parse_changes(header: &[&str]) -> Changes {
    let mut changes = Changes::default();
    for line in header {
        let line = line.trim_start_matches('/').trim();
        let (set, list) = if let Some(list) = line.strip_prefix("Adds:") {
            (&mut changes.adds, list)
        } else if let Some(list) = line.strip_prefix("Removes:") {
            (&mut changes.removes, list)
        } else {
            continue;
        };
        set.extend(
            list.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(Key::new),
        );
    }
    changes
}

/// One item of a file: its key and the bytes it covers (attributes and doc
/// comments included).
#[derive(Debug)]
struct Piece {
    key: Key,
    range: Range<usize>,
    /// Where the item starts after its attributes and doc comments.
    after_attrs: usize,
    /// For an `impl` block: its associated items, and where its body's
    /// closing brace is (new associated items go before it).
    members: Vec<Piece>,
    body_end: usize,
    is_use: bool,
}

/// Lays `overlay` (the items of a mistake) over `reference` (a complete
/// student file) and returns the complete file to build.
pub fn apply(reference: &str, overlay: &str, changes: &Changes) -> Result<String> {
    let base = pieces(reference).context("the reference does not parse")?;
    let layer = pieces(overlay).context("the mistake does not parse as Rust items")?;
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut appended: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let last_use_end = base
        .iter()
        .filter(|p| p.is_use)
        .map(|p| p.range.end)
        .max()
        .unwrap_or(0);
    let imported: Vec<Import> = base
        .iter()
        .filter(|p| p.is_use)
        .flat_map(|p| imports_of(&reference[p.range.clone()]))
        .collect();

    for item in &layer {
        let text = with_leading_comments(overlay, &layer, item);
        if item.is_use {
            // Only what the reference does not import yet: a second import
            // of a name is an error.
            let missing = missing_imports(&imported, &overlay[item.range.clone()]);
            if !missing.is_empty() {
                edits.push((
                    last_use_end..last_use_end,
                    format!("\n{}", missing.join("\n")),
                ));
            }
            continue;
        }
        seen.insert(item.key.clone());
        let target = base.iter().find(|b| b.key == item.key);
        match target {
            Some(b) if !item.members.is_empty() || is_impl(&item.key) => {
                // An impl block: replace its members one by one.
                for m in &item.members {
                    let m_text = with_leading_comments(overlay, &item.members, m);
                    match b.members.iter().find(|bm| bm.key == m.key) {
                        Some(bm) => edits.push((replaced(bm, m), m_text)),
                        None if changes.adds.contains(&m.key) => {
                            edits.push((b.body_end..b.body_end, format!("\n{m_text}\n")));
                        }
                        None => bail!(
                            "`{}` is not in the reference's `{}`: rename it to match the \
                             reference, or list it in the header (`// Adds: {}`) if the \
                             mistake needs a new member",
                            m.key,
                            b.key,
                            m.key
                        ),
                    }
                }
            }
            Some(b) => edits.push((replaced(b, item), text)),
            None if changes.adds.contains(&item.key) => appended.push(text),
            None => bail!(
                "`{}` is not an item of the reference: rename it to match the reference, \
                 or list it in the header (`// Adds: {}`) if the mistake needs a new item",
                item.key,
                item.key
            ),
        }
    }
    for key in &changes.removes {
        let found = base.iter().find(|b| &b.key == key).map(|b| b.range.clone());
        let found = found.or_else(|| {
            base.iter()
                .flat_map(|b| &b.members)
                .find(|m| &m.key == key)
                .map(|m| m.range.clone())
        });
        match found {
            Some(range) => edits.push((range, String::new())),
            None => bail!("`// Removes: {key}` names no item of the reference"),
        }
    }
    for key in &changes.adds {
        let added =
            seen.contains(key) || layer.iter().flat_map(|p| &p.members).any(|m| &m.key == key);
        if !added {
            bail!("`// Adds: {key}` names no item of the mistake");
        }
        if base.iter().any(|b| &b.key == key) {
            bail!("`// Adds: {key}`: the reference has this item already; drop it from `Adds:`");
        }
    }

    // Apply from the end, so earlier ranges stay valid.
    edits.sort_by_key(|(range, _)| std::cmp::Reverse((range.start, range.end)));
    let mut out = reference.to_string();
    let mut previous_start = usize::MAX;
    for (range, text) in edits {
        if range.end > previous_start {
            bail!("the mistake changes one item of the reference twice");
        }
        previous_start = range.start;
        out.replace_range(range, &text);
    }
    for text in appended {
        out.push('\n');
        out.push_str(&text);
        out.push('\n');
    }
    Ok(out)
}

/// The part of reference item `base` that overlay item `new` replaces: all
/// of it, or all but its doc comments and attributes when `new` has none
/// (a mistake keeps the reference's documentation).
fn replaced(base: &Piece, new: &Piece) -> Range<usize> {
    if new.after_attrs == new.range.start {
        base.after_attrs..base.range.end
    } else {
        base.range.clone()
    }
}

/// One name a `use` brings in: `std::sync::Mutex` as `Mutex`, or a glob.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Import {
    /// The path, e.g. `std::sync::Mutex` or `std::io::*`.
    path: String,
    /// The name it is known by, e.g. `Mutex`; `*` for a glob.
    name: String,
}

/// The names a `use` item (its text) brings in.
fn imports_of(text: &str) -> Vec<Import> {
    let Ok(syn::Item::Use(item)) = syn::parse_str::<syn::Item>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    flatten(&item.tree, String::new(), &mut out);
    out
}

fn flatten(tree: &syn::UseTree, prefix: String, out: &mut Vec<Import>) {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}::{name}")
        }
    };
    match tree {
        syn::UseTree::Path(p) => flatten(&p.tree, join(&p.ident.to_string()), out),
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            // `use std::io::{self}` imports `io`.
            let (path, name) = if name == "self" {
                let last = prefix.rsplit("::").next().unwrap_or(&prefix).to_string();
                (prefix.clone(), last)
            } else {
                (join(&name), name)
            };
            out.push(Import { path, name });
        }
        syn::UseTree::Rename(r) => out.push(Import {
            path: format!("{} as {}", join(&r.ident.to_string()), r.rename),
            name: r.rename.to_string(),
        }),
        syn::UseTree::Glob(_) => out.push(Import {
            path: join("*"),
            name: "*".into(),
        }),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten(t, prefix.clone(), out);
            }
        }
    }
}

/// The `use` lines for the names of overlay `use` item `text` that the
/// reference does not import yet (by name: the reference's own import of a
/// name wins).
fn missing_imports(imported: &[Import], text: &str) -> Vec<String> {
    imports_of(text)
        .into_iter()
        .filter(|i| {
            if i.name == "*" {
                !imported.iter().any(|b| b.path == i.path)
            } else {
                !imported.iter().any(|b| b.name == i.name)
            }
        })
        .map(|i| format!("use {};", i.path))
        .collect()
}

fn is_impl(key: &Key) -> bool {
    key.0.starts_with("impl ")
}

/// The item's text with the plain `//` comments right above it (they
/// explain the mistake), from the end of the item before it.
fn with_leading_comments(source: &str, siblings: &[Piece], item: &Piece) -> String {
    let previous_end = siblings
        .iter()
        .map(|p| p.range.end)
        .filter(|&end| end <= item.range.start)
        .max()
        .unwrap_or(0);
    let gap = &source[previous_end..item.range.start];
    // Keep the comment lines directly above the item, not the file header.
    let lines: Vec<&str> = gap.lines().collect();
    let kept: Vec<&str> = lines
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with("//"))
        .copied()
        .collect();
    let header_block =
        previous_end == 0 && kept.len() == lines.iter().filter(|l| !l.trim().is_empty()).count();
    let mut text = String::new();
    if !header_block {
        for line in kept.iter().rev() {
            text.push_str(line.trim_start());
            text.push('\n');
        }
    }
    text.push_str(&source[item.range.clone()]);
    text
}

/// The items of a file, in order.
fn pieces(source: &str) -> Result<Vec<Piece>> {
    let file = syn::parse_file(source).map_err(|e| {
        let at = e.span().start();
        anyhow::anyhow!("line {}, column {}: {e}", at.line, at.column + 1)
    })?;
    let offsets = LineOffsets::new(source);
    file.items
        .iter()
        .map(|item| piece(item, &offsets))
        .collect()
}

fn piece(item: &syn::Item, offsets: &LineOffsets) -> Result<Piece> {
    let range = offsets.range(item.span());
    let mut piece = Piece {
        key: key_of(item)?,
        range: range.clone(),
        after_attrs: after_attrs(item_attrs(item), range.start, offsets),
        members: Vec::new(),
        body_end: range.end.saturating_sub(1),
        is_use: matches!(item, syn::Item::Use(_)),
    };
    if let syn::Item::Impl(block) = item {
        let prefix = piece.key.0.clone();
        piece.body_end = offsets.range(block.brace_token.span.close()).start;
        for member in &block.items {
            let name = match member {
                syn::ImplItem::Fn(f) => format!("fn {}", f.sig.ident),
                syn::ImplItem::Const(c) => format!("const {}", c.ident),
                syn::ImplItem::Type(t) => format!("type {}", t.ident),
                other => bail!(
                    "an impl member of `{prefix}` the overlay cannot name: {}",
                    other.to_token_stream()
                ),
            };
            let range = offsets.range(member.span());
            let attrs: &[syn::Attribute] = match member {
                syn::ImplItem::Fn(f) => &f.attrs,
                syn::ImplItem::Const(c) => &c.attrs,
                syn::ImplItem::Type(t) => &t.attrs,
                _ => &[],
            };
            piece.members.push(Piece {
                key: Key::new(&format!("{prefix}::{name}")),
                after_attrs: after_attrs(attrs, range.start, offsets),
                range,
                members: Vec::new(),
                body_end: 0,
                is_use: false,
            });
        }
    }
    Ok(piece)
}

/// Where an item starts once its outer attributes (doc comments included)
/// are skipped: the end of the last one, then any whitespace.
fn after_attrs(attrs: &[syn::Attribute], start: usize, offsets: &LineOffsets) -> usize {
    let end = attrs
        .iter()
        .filter(|a| matches!(a.style, syn::AttrStyle::Outer))
        .map(|a| offsets.range(a.span()).end)
        .max()
        .unwrap_or(start);
    let rest = &offsets.source[end..];
    end + (rest.len() - rest.trim_start().len())
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Fn(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Const(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        _ => &[],
    }
}

fn key_of(item: &syn::Item) -> Result<Key> {
    use syn::Item;
    let text = match item {
        Item::Fn(f) => format!("fn {}", f.sig.ident),
        Item::Struct(s) => format!("struct {}", s.ident),
        Item::Enum(e) => format!("enum {}", e.ident),
        Item::Union(u) => format!("union {}", u.ident),
        Item::Const(c) => format!("const {}", c.ident),
        Item::Static(s) => format!("static {}", s.ident),
        Item::Type(t) => format!("type {}", t.ident),
        Item::Trait(t) => format!("trait {}", t.ident),
        Item::TraitAlias(t) => format!("trait {}", t.ident),
        Item::Mod(m) => format!("mod {}", m.ident),
        Item::Macro(m) => match &m.ident {
            Some(name) => format!("macro {name}"),
            None => bail!("a macro call at the top level cannot be laid over: name it in a `// Whole file` mistake"),
        },
        Item::Use(u) => format!("use {}", u.tree.to_token_stream()),
        Item::Impl(i) => {
            let ty = i.self_ty.to_token_stream().to_string();
            match &i.trait_ {
                Some((bang, path, _)) => format!(
                    "impl {}{} for {ty}",
                    if bang.is_some() { "!" } else { "" },
                    path.to_token_stream()
                ),
                None => format!("impl {ty}"),
            }
        }
        Item::ExternCrate(e) => format!("extern crate {}", e.ident),
        Item::ForeignMod(_) | Item::Verbatim(_) => {
            bail!("an `extern` block or unparsed item cannot be laid over: use a `// Whole file` mistake")
        }
        other => bail!(
            "an item the overlay cannot name: {}",
            other.to_token_stream()
        ),
    };
    // Token streams print `Foo < T >`; keys compare without the spaces.
    Ok(Key::new(
        &text
            .replace(" < ", "<")
            .replace(" >", ">")
            .replace(" ,", ","),
    ))
}

/// Turns proc-macro2's line/column positions into byte offsets.
struct LineOffsets<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineOffsets<'a> {
    fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineOffsets { source, starts }
    }

    fn offset(&self, at: proc_macro2::LineColumn) -> usize {
        let line_start = self.starts[at.line.saturating_sub(1).min(self.starts.len() - 1)];
        // Columns count characters, not bytes.
        self.source[line_start..]
            .char_indices()
            .nth(at.column)
            .map_or(self.source.len(), |(i, _)| line_start + i)
    }

    fn range(&self, span: proc_macro2::Span) -> Range<usize> {
        self.offset(span.start())..self.offset(span.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "\
//! The sheet.

use std::sync::Mutex;

/// Counts.
pub struct Counter {
    n: Mutex<u64>,
}

impl Counter {
    /// A new counter.
    pub fn new() -> Counter {
        Counter { n: Mutex::new(0) }
    }

    /// Adds one.
    pub fn increment(&self) {
        *self.n.lock().unwrap() += 1;
    }
}

/// Runs `n` threads.
pub fn run(n: usize) -> u64 {
    let c = Counter::new();
    std::thread::scope(|s| {
        for _ in 0..n {
            s.spawn(|| c.increment());
        }
    });
    *c.n.lock().unwrap()
}
";

    #[test]
    fn a_function_is_replaced_and_the_rest_kept() {
        let overlay =
            "// Mistake: x\n\n// One at a time.\npub fn run(n: usize) -> u64 {\n    n as u64\n}\n";
        let out = apply(REFERENCE, overlay, &Changes::default()).unwrap();
        assert!(out.contains("/// Runs `n` threads.\n// One at a time.\npub fn run(n: usize) -> u64 {\n    n as u64\n}"), "{out}");
        assert!(!out.contains("std::thread::scope"), "{out}");
        assert!(out.contains("/// Adds one.\n    pub fn increment"), "{out}");
        assert!(out.starts_with("//! The sheet."), "{out}");
        assert!(!out.contains("Mistake: x"), "the header is not code: {out}");
    }

    #[test]
    fn a_method_is_replaced_inside_its_impl() {
        let overlay = "use std::sync::atomic::AtomicU64;\n\nimpl Counter {\n    pub fn increment(&self) {\n        let v = *self.n.lock().unwrap();\n        *self.n.lock().unwrap() = v + 1;\n    }\n}\n";
        let out = apply(REFERENCE, overlay, &Changes::default()).unwrap();
        assert!(out.contains("let v = *self.n.lock().unwrap();"), "{out}");
        assert!(out.contains("pub fn new() -> Counter"), "{out}");
        assert!(
            out.contains("use std::sync::Mutex;\nuse std::sync::atomic::AtomicU64;"),
            "{out}"
        );
        syn::parse_file(&out).expect("the result parses");
    }

    #[test]
    fn an_import_the_reference_has_is_not_repeated() {
        let reference = "use std::sync::{Mutex, MutexGuard};\nuse std::io;\n\npub fn f() {}\n";
        let overlay = "use std::sync::Mutex;\nuse std::sync::{Arc, MutexGuard};\nuse std::io::{self, Read};\n\npub fn f() {}\n";
        let out = apply(reference, overlay, &Changes::default()).unwrap();
        assert_eq!(out.matches("Mutex;").count(), 0, "{out}");
        assert!(out.contains("use std::sync::Arc;"), "{out}");
        assert!(out.contains("use std::io::Read;"), "{out}");
        assert_eq!(out.matches("use std::io;").count(), 1, "{out}");
        syn::parse_file(&out).expect("the result parses");
    }

    #[test]
    fn an_unknown_item_is_a_loud_error() {
        let overlay = "pub fn run_all(n: usize) -> u64 { n as u64 }\n";
        let err = apply(REFERENCE, overlay, &Changes::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("`fn run_all` is not an item of the reference"),
            "{err}"
        );
        let overlay = "impl Counter { pub fn decrement(&self) {} }\n";
        let err = apply(REFERENCE, overlay, &Changes::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("`impl Counter::fn decrement` is not in"),
            "{err}"
        );
    }

    #[test]
    fn new_and_removed_items_are_declared() {
        let header = [
            "// Adds: fn helper, impl Counter::fn get",
            "// Removes: impl Counter::fn new",
        ];
        let changes = parse_changes(&header);
        let overlay = "fn helper() {}\nimpl Counter { pub fn get(&self) -> u64 { 0 } }\n";
        let out = apply(REFERENCE, overlay, &changes).unwrap();
        assert!(out.contains("fn helper() {}"), "{out}");
        assert!(out.contains("pub fn get(&self) -> u64 { 0 }"), "{out}");
        assert!(!out.contains("pub fn new()"), "{out}");
        syn::parse_file(&out).expect("the result parses");
    }

    #[test]
    fn an_add_of_an_existing_item_is_refused() {
        let changes = parse_changes(&["// Adds: fn run"]);
        let err = apply(REFERENCE, "pub fn run(n: usize) -> u64 { 0 }\n", &changes).unwrap_err();
        assert!(err.to_string().contains("has this item already"), "{err}");
    }
}
