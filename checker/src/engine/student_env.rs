//! The environment a student's own shell gives cargo.
//!
//! Students switch between `cargo run` (this checker, which then runs
//! `cargo build` itself) and `cargo test -p exNN` dozens of times an hour,
//! in one target folder. Cargo decides whether a build script or a crate is
//! stale partly from environment variables: those a build script declares
//! with `rerun-if-env-changed`, and those a crate reads with `env!`. But a
//! binary started by `cargo run` inherits variables cargo set for *it*
//! (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, ..., and a library path with the
//! target folder in front). Passed on to the inner `cargo build`, they made
//! every switch recompile part of the dependency graph (ring's build script
//! watched `CARGO_MANIFEST_DIR`: 8 to 19 s each way). So every cargo call
//! the checker makes starts from the environment the student's shell had:
//! the variables cargo sets for a running binary are removed, and the
//! library path is given back without the entries cargo put in front.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A `cargo` command with the student's shell environment: the cargo that
/// started the checker (the same toolchain), without cargo's run-time
/// variables.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(program);
    let vars: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    for (name, _) in &vars {
        if name.to_str().is_some_and(set_by_cargo_for_a_binary) {
            cmd.env_remove(name);
        }
    }
    if started_by_cargo(&vars) {
        let var = library_path_var();
        if let Some(value) = vars.iter().find(|(n, _)| n == var).map(|(_, v)| v) {
            let toolchain = toolchain_dir(&vars);
            let target = own_target_dir();
            match without_cargo_entries(value, toolchain.as_deref(), target.as_deref()) {
                Some(original) => cmd.env(var, original),
                None => cmd.env_remove(var),
            };
        }
    }
    cmd
}

/// The variables cargo sets for a binary it runs (`cargo run`) or a test it
/// runs, which a shell would not have.
pub fn set_by_cargo_for_a_binary(name: &str) -> bool {
    matches!(
        name,
        "CARGO"
            | "CARGO_MANIFEST_DIR"
            | "CARGO_MANIFEST_PATH"
            | "CARGO_MANIFEST_LINKS"
            | "CARGO_CRATE_NAME"
            | "CARGO_BIN_NAME"
            | "CARGO_PRIMARY_PACKAGE"
            | "CARGO_TARGET_TMPDIR"
            | "CARGO_RUSTC_CURRENT_DIR"
            | "OUT_DIR"
    ) || name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_BIN_EXE_")
}

fn started_by_cargo(vars: &[(OsString, OsString)]) -> bool {
    vars.iter().any(|(n, _)| n == "CARGO_MANIFEST_DIR")
}

/// Where the dynamic linker looks for libraries; cargo puts its own folders
/// in front of it for the binaries it runs.
fn library_path_var() -> &'static str {
    if cfg!(windows) {
        "PATH"
    } else if cfg!(target_os = "macos") {
        "DYLD_FALLBACK_LIBRARY_PATH"
    } else {
        "LD_LIBRARY_PATH"
    }
}

/// The toolchain's folder (`.../toolchains/stable-x86_64-unknown-linux-gnu`),
/// from the path of the cargo that started us (`<toolchain>/bin/cargo`).
fn toolchain_dir(vars: &[(OsString, OsString)]) -> Option<PathBuf> {
    let cargo = vars.iter().find(|(n, _)| n == "CARGO").map(|(_, v)| v)?;
    Some(Path::new(cargo).parent()?.parent()?.to_path_buf())
}

/// The target folder the checker itself was built into (`<target>/debug/checker`).
fn own_target_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.to_path_buf())
}

/// `value` without the entries cargo put in front (inside the toolchain or
/// the target folder); `None` when nothing else is left.
pub fn without_cargo_entries(
    value: &OsStr,
    toolchain: Option<&Path>,
    target: Option<&Path>,
) -> Option<OsString> {
    let inside = |entry: &Path, dir: Option<&Path>| dir.is_some_and(|d| entry.starts_with(d));
    let kept: Vec<PathBuf> = std::env::split_paths(value)
        .skip_while(|entry| inside(entry, toolchain) || inside(entry, target))
        .collect();
    if kept.is_empty() {
        return None;
    }
    std::env::join_paths(kept).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_run_variables_are_not_the_shells() {
        for name in [
            "CARGO",
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_BIN_EXE_checker",
        ] {
            assert!(set_by_cargo_for_a_binary(name), "{name}");
        }
        for name in [
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_INCREMENTAL",
            "PATH",
            "RUSTFLAGS",
        ] {
            assert!(
                !set_by_cargo_for_a_binary(name),
                "{name} is the student's own"
            );
        }
    }

    #[test]
    fn the_library_path_loses_only_what_cargo_put_in_front() {
        let toolchain = Path::new("/rustup/toolchains/stable");
        let target = Path::new("/course/target");
        let joined = |parts: &[&str]| std::env::join_paths(parts).unwrap();
        let value = joined(&[
            "/course/target/debug",
            "/course/target/debug/deps",
            "/rustup/toolchains/stable/lib/rustlib/x86_64-unknown-linux-gnu/lib",
            "/rustup/toolchains/stable/lib",
            "/opt/mine/lib",
        ]);
        assert_eq!(
            without_cargo_entries(&value, Some(toolchain), Some(target)),
            Some(joined(&["/opt/mine/lib"]))
        );
        let only_cargo = joined(&["/course/target/debug", "/rustup/toolchains/stable/lib"]);
        assert_eq!(
            without_cargo_entries(&only_cargo, Some(toolchain), Some(target)),
            None
        );
    }
}
