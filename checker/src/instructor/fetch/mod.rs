//! `checker class fetch`: every student's newest report, downloaded from
//! GitHub in one command.
//!
//! GitHub Classroom gives each student a repository named
//! `<assignment>-<login>` in the organization; the generated workflow
//! uploads the student's JSON report there as the artifact
//! [`REPORT_ARTIFACT`]. For each such repository this lists the artifacts
//! of that name, takes the newest one that has not expired, downloads its
//! zip and keeps the report as `<out>/<repository>.json` once `class` could
//! read it. Each repository that gives no report is named with the reason.
//!
//! Reports are data: they are parsed, never executed; the zip's entry
//! names are never used as paths (see [`archive`]).

mod archive;
pub mod github;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::author::workflow::{REPORT_ARTIFACT, REPORT_FILE};
use crate::instructor::class;
use github::{clean, ApiError, GitHub};

/// An artifact's zip is a few KiB; this leaves room for any real report.
pub const MAX_ARTIFACT_BYTES: u64 = 16 << 20;

pub struct Options {
    pub org: String,
    /// Repositories named `<assignment>-<login>` are the students'.
    pub assignment: String,
    pub out: PathBuf,
    pub api_url: String,
    pub artifact: String,
    /// A rate limit that resets sooner is waited out; a later one stops.
    pub max_wait: Duration,
}

impl Options {
    pub fn new(org: &str, assignment: &str, out: &Path) -> Options {
        Options {
            org: org.into(),
            assignment: assignment.into(),
            out: out.into(),
            api_url: "https://api.github.com".into(),
            artifact: REPORT_ARTIFACT.into(),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// What happened to one student's repository.
#[derive(Debug)]
pub struct RepoOutcome {
    pub repo: String,
    /// The report kept, or why there is none.
    pub result: Result<Kept, String>,
}

#[derive(Debug)]
pub struct Kept {
    pub file: PathBuf,
    pub student: Option<String>,
    pub generated_at: String,
}

impl RepoOutcome {
    /// One line for the instructor, naming the repository.
    pub fn line(&self) -> String {
        match &self.result {
            Ok(k) => format!(
                "{}: report of {} generated {} → {}",
                self.repo,
                k.student
                    .as_deref()
                    .map_or("(no name)".into(), |s| clean(s, 80)),
                clean(&k.generated_at, 40),
                k.file.display()
            ),
            Err(why) => format!("{}: no report: {why}", self.repo),
        }
    }
}

/// The whole fetch.
#[derive(Debug)]
pub struct Summary {
    pub repos: Vec<RepoOutcome>,
    /// HTTP requests made, retries included.
    pub requests: usize,
}

impl Summary {
    pub fn kept(&self) -> usize {
        self.repos.iter().filter(|r| r.result.is_ok()).count()
    }
}

/// Fetches every student's report; `progress` hears of each repository as
/// it is done. An error that concerns every repository (the token refused,
/// no such organization, the rate limit used up for long) stops the fetch
/// with the reports kept so far in `out`.
pub fn fetch(
    opts: &Options,
    token: String,
    progress: &mut dyn FnMut(&RepoOutcome),
) -> Result<Summary> {
    // Both go into URL paths: GitHub allows only these characters in them.
    let path_safe = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if !path_safe(&opts.org) || !path_safe(&opts.assignment) {
        bail!(
            "--org and --assignment take GitHub names (letters, digits, `-`, `_`, `.`), \
             not {:?} and {:?}",
            opts.org,
            opts.assignment
        );
    }
    let mut gh = GitHub::new(&opts.api_url, token, opts.max_wait);
    gh.reachable().map_err(|e| anyhow::anyhow!("{e}"))?;
    let repos = student_repos(&mut gh, opts)?;
    if repos.is_empty() {
        bail!(
            "no repository of {} is named {}-<login>: is the assignment prefix right?",
            opts.org,
            opts.assignment
        );
    }
    fs::create_dir_all(&opts.out)
        .with_context(|| format!("cannot create {}", opts.out.display()))?;
    let mut outcomes = Vec::new();
    for repo in repos {
        let result = match fetch_one(&mut gh, opts, &repo) {
            Err(Stop(e)) => {
                let done = outcomes.len();
                bail!(
                    "stopped at {repo}: {e}\n{done} repositor{} done before it; run again to fetch the rest",
                    if done == 1 { "y" } else { "ies" }
                );
            }
            Ok(result) => result,
        };
        let outcome = RepoOutcome { repo, result };
        progress(&outcome);
        outcomes.push(outcome);
    }
    Ok(Summary {
        repos: outcomes,
        requests: gh.requests,
    })
}

/// An error that stops the whole fetch.
struct Stop(ApiError);

/// The organization's repositories named `<assignment>-…`, sorted.
fn student_repos(gh: &mut GitHub, opts: &Options) -> Result<Vec<String>> {
    let prefix = format!("{}-", opts.assignment);
    let mut names = Vec::new();
    let first = gh.url(&format!("/orgs/{}/repos?per_page=100", opts.org));
    let listed = gh.get_pages(&first, |page| {
        let repos = page
            .as_array()
            .ok_or_else(|| ApiError::BadAnswer("the repository list is not a list".into()))?;
        for r in repos {
            if let Some(name) = r.get("name").and_then(|n| n.as_str()) {
                if name.starts_with(&prefix) {
                    names.push(name.to_string());
                }
            }
        }
        Ok(())
    });
    if let Err(e) = listed {
        bail!(
            "cannot list the repositories of {}: {}",
            opts.org,
            org_advice(&e)
        );
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// What an error listing the organization means for the instructor.
fn org_advice(e: &ApiError) -> String {
    match e {
        ApiError::Status { code: 401, .. } => {
            format!("{e}. GITHUB_TOKEN was refused: is it expired or mistyped?")
        }
        ApiError::Status { code: 403, .. } => format!(
            "{e}. The token may not read this organization (a fine-grained token needs the \
             organization as its owner, with read access to Actions and metadata)."
        ),
        ApiError::Status { code: 404, .. } => {
            format!("{e}. No such organization, or the token cannot see it.")
        }
        e => e.to_string(),
    }
}

/// The newest report of one repository, or why there is none; `Err(Stop)`
/// for what would fail for every repository alike.
fn fetch_one(
    gh: &mut GitHub,
    opts: &Options,
    repo: &str,
) -> std::result::Result<Result<Kept, String>, Stop> {
    // GitHub lists artifacts newest first: the first page holds the newest.
    let list = gh.url(&format!(
        "/repos/{}/{repo}/actions/artifacts?name={}&per_page=100",
        opts.org,
        query_value(&opts.artifact)
    ));
    let artifacts = match gh.get_json(&list) {
        Ok(v) => v,
        Err(e) => return per_repo(e),
    };
    let Some(all) = artifacts.get("artifacts").and_then(|a| a.as_array()) else {
        return Ok(Err("GitHub's artifact list has no \"artifacts\"".into()));
    };
    // Only the name asked for counts, whatever the server filtered.
    let named: Vec<&serde_json::Value> = all
        .iter()
        .filter(|a| a.get("name").and_then(|n| n.as_str()) == Some(opts.artifact.as_str()))
        .collect();
    if named.is_empty() {
        return Ok(Err(format!(
            "no run has uploaded the artifact {} yet (has the student pushed since the workflow \
             uploads it?)",
            opts.artifact
        )));
    }
    let created = |a: &serde_json::Value| {
        a.get("created_at")
            .and_then(|c| c.as_str())
            .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
    };
    let newest_alive = named
        .iter()
        .filter(|a| a.get("expired").and_then(|e| e.as_bool()) != Some(true))
        .max_by_key(|a| created(a));
    let Some(artifact) = newest_alive else {
        let expired_at = named
            .iter()
            .filter_map(|a| a.get("expires_at").and_then(|e| e.as_str()))
            .max()
            .map_or(String::new(), |at| format!(" on {}", clean(at, 40)));
        return Ok(Err(format!(
            "every {} artifact has expired (the newest{expired_at}); a new push makes a new one",
            opts.artifact
        )));
    };
    let size = artifact
        .get("size_in_bytes")
        .and_then(|s| s.as_u64())
        .unwrap_or(0);
    if size > MAX_ARTIFACT_BYTES {
        return Ok(Err(format!(
            "the artifact is {size} bytes (at most {MAX_ARTIFACT_BYTES} are read); not downloaded"
        )));
    }
    let Some(url) = artifact
        .get("archive_download_url")
        .and_then(|u| u.as_str())
    else {
        return Ok(Err("the artifact has no archive_download_url".into()));
    };
    let zip = match gh.download(url, MAX_ARTIFACT_BYTES) {
        Ok(zip) => zip,
        Err(ApiError::Status { code: 410, .. }) => {
            return Ok(Err(format!(
                "the newest {} artifact expired before it could be downloaded (410)",
                opts.artifact
            )))
        }
        Err(e) => return per_repo(e),
    };
    Ok(keep(opts, repo, &zip))
}

/// An error of one repository: a line, unless it stops everything.
fn per_repo(e: ApiError) -> std::result::Result<Result<Kept, String>, Stop> {
    match e {
        ApiError::RateLimited { .. } | ApiError::Status { code: 401, .. } => Err(Stop(e)),
        ApiError::Status { code: 404, .. } => Ok(Err(format!(
            "{e} (the token cannot see this repository, or it was deleted)"
        ))),
        ApiError::Status { code: 403, .. } => Ok(Err(format!(
            "{e} (the token needs read access to this repository's Actions)"
        ))),
        e => Ok(Err(e.to_string())),
    }
}

/// Checks the zip's report the way `class` reads it, then writes it as
/// `<out>/<repo>.json` (through a temporary file, so a stopped fetch never
/// leaves half a report).
fn keep(opts: &Options, repo: &str, zip: &[u8]) -> Result<Kept, String> {
    let bytes = archive::report_in(zip, REPORT_FILE)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{REPORT_FILE} in the artifact is not UTF-8 text"))?;
    let report =
        class::parse_report(&text).map_err(|why| format!("{REPORT_FILE} is unusable: {why}"))?;
    let file = opts.out.join(format!("{}.json", file_stem(repo)));
    let partial = opts.out.join(format!(".{}.json.part", file_stem(repo)));
    fs::write(&partial, &text)
        .and_then(|()| fs::rename(&partial, &file))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(Kept {
        file,
        student: report.student,
        generated_at: report.generated_at,
    })
}

/// `text` percent-encoded for a URL's query (all but RFC 3986's unreserved).
fn query_value(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A repository name as a file name: GitHub allows only letters, digits,
/// `.`, `-` and `_`, and anything else becomes `_` all the same.
fn file_stem(repo: &str) -> String {
    let stem: String = repo
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    stem.trim_start_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::{file_stem, query_value};

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(query_value("course-report"), "course-report");
        assert_eq!(query_value("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }

    #[test]
    fn a_repository_name_stays_a_file_name() {
        assert_eq!(file_stem("hw1-ada"), "hw1-ada");
        assert_eq!(file_stem("../../evil"), "_.._evil");
        assert_eq!(file_stem("a/b\\c"), "a_b_c");
    }
}
