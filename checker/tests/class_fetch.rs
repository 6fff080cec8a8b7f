//! `checker class fetch` against a server that answers like GitHub's REST
//! API does (the shapes of GitHub's documentation for "List organization
//! repositories", "List artifacts for a repository" and "Download an
//! artifact"): pages linked by `Link: rel="next"`, artifacts that expired,
//! a repository with no run, a download that answers 302 to a second host
//! (which must not receive the token), real zips, and refusals. No network:
//! both servers are httpmock on loopback.

mod common;

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;
use std::time::Instant;

use assert_cmd::cargo::cargo_bin_cmd;
use common::{run, Output};
use httpmock::prelude::*;
use httpmock::Mock;
use serde_json::{json, Value};

const TOKEN: &str = "ghs_TEST_TOKEN_never_shown_0123456789";
const ORG: &str = "acme-classroom";

/// A report `class` accepts.
fn report(student: &str, generated_at: &str) -> String {
    serde_json::to_string_pretty(&json!({
        "schema": "concurrency-course-report",
        "schema_version": 2,
        "checker_version": "0.1.0",
        "generated_at": generated_at,
        "commit": null,
        "student": student,
        "points": { "earned": 10, "possible": 20 },
        "exercises": [
            { "id": "ex01", "title": "First response wins", "status": "solved", "detail": null,
              "points": { "earned": 10, "possible": 10 }, "duration_secs": 0.5, "tests": [] },
            { "id": "ex02", "title": "Threads at once", "status": "failing", "detail": null,
              "points": { "earned": 0, "possible": 10 }, "duration_secs": 0.5, "tests": [] }
        ]
    }))
    .unwrap()
}

/// A zip holding `entries` (name, content), deflated like GitHub's.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// An artifact of the list, as GitHub documents it.
fn artifact(api: &MockServer, repo: &str, id: u64, created: &str, expired: bool) -> Value {
    json!({
        "id": id,
        "node_id": "MDg6QXJ0aWZhY3QxMQ==",
        "name": "course-report",
        "size_in_bytes": 2048,
        "url": api.url(format!("/repos/{ORG}/{repo}/actions/artifacts/{id}")),
        "archive_download_url": api.url(format!("/repos/{ORG}/{repo}/actions/artifacts/{id}/zip")),
        "expired": expired,
        "created_at": created,
        "expires_at": "2026-03-01T12:00:00Z",
        "updated_at": created,
        "workflow_run": { "id": 2332938, "head_branch": "main" }
    })
}

fn repo_json(name: &str) -> Value {
    json!({ "id": 1296269, "name": name, "full_name": format!("{ORG}/{name}"), "private": true })
}

/// The artifacts of `repo` (GitHub filters by `name`; the test requires it).
fn artifacts<'a>(api: &'a MockServer, repo: &str, list: Vec<Value>) -> Mock<'a> {
    api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/{repo}/actions/artifacts"))
            .query_param("name", "course-report")
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({ "total_count": list.len(), "artifacts": list }));
    })
}

/// The download: 302 to the blob host, as GitHub answers.
fn download<'a>(api: &'a MockServer, blobs: &MockServer, repo: &str, id: u64) -> Mock<'a> {
    let location = blobs.url(format!("/blob/{repo}/{id}.zip?sig=abc"));
    api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/{repo}/actions/artifacts/{id}/zip"))
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(302).header("location", location);
    })
}

/// The zip on the blob host, which must never see the token.
fn blob<'a>(blobs: &'a MockServer, repo: &str, id: u64, zip: Vec<u8>) -> Mock<'a> {
    blobs.mock(|when, then| {
        when.method(GET)
            .path(format!("/blob/{repo}/{id}.zip"))
            .query_param("sig", "abc")
            .header_missing("authorization");
        then.status(200)
            .header("content-type", "application/zip")
            .body(zip);
    })
}

fn fetch(api: &MockServer, out: &Path, extra: &[&str]) -> Output {
    let mut cmd = cargo_bin_cmd!("checker");
    cmd.args([
        "class",
        "fetch",
        "--org",
        ORG,
        "--assignment",
        "hw1",
        "--out",
    ])
    .arg(out)
    .args(["--api-url", &api.base_url()])
    .args(extra)
    .env("GITHUB_TOKEN", TOKEN)
    .env("NO_COLOR", "1");
    let out = run(&mut cmd);
    assert!(
        !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
        "the token was printed:\n{}{}",
        out.stdout,
        out.stderr
    );
    out
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                found.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn three_students_one_report_and_two_reasons() {
    let (api, blobs) = (MockServer::start(), MockServer::start());
    // Two pages of repositories; only hw1-* are the assignment's.
    let page2 = api.url(format!("/orgs/{ORG}/repos?per_page=100&page=2"));
    let list1 = api.mock(|when, then| {
        when.method(GET)
            .path(format!("/orgs/{ORG}/repos"))
            .query_param("per_page", "100")
            .query_param_missing("page")
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(200)
            .header(
                "link",
                format!("<{page2}>; rel=\"next\", <{page2}>; rel=\"last\""),
            )
            .json_body(json!([
                repo_json("hw1-ada"),
                repo_json("course-template"),
                repo_json("hw1-bob")
            ]));
    });
    let list2 = api.mock(|when, then| {
        when.method(GET)
            .path(format!("/orgs/{ORG}/repos"))
            .query_param("page", "2");
        then.status(200)
            .json_body(json!([repo_json("hw1-cy"), repo_json("hw10-dan")]));
    });
    // ada: an older report, and the newest (which holds a hostile entry).
    let ada_list = artifacts(
        &api,
        "hw1-ada",
        vec![
            artifact(&api, "hw1-ada", 11, "2026-01-10T10:00:00Z", false),
            artifact(&api, "hw1-ada", 12, "2026-01-17T10:00:00Z", false),
        ],
    );
    let ada_dl = download(&api, &blobs, "hw1-ada", 12);
    let ada_zip = zip_of(&[
        (
            "report.json",
            report("ada", "2026-01-17T10:00:00Z").as_bytes(),
        ),
        ("../../evil", b"#!/bin/sh\necho pwned\n"),
    ]);
    let ada_blob = blob(&blobs, "hw1-ada", 12, ada_zip);
    // bob: no run yet.
    let bob_list = artifacts(&api, "hw1-bob", vec![]);
    // cy: the only artifact expired.
    let cy_list = artifacts(
        &api,
        "hw1-cy",
        vec![artifact(&api, "hw1-cy", 31, "2025-10-01T10:00:00Z", true)],
    );

    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("a").join("b").join("reports");
    let out = fetch(&api, &out_dir, &[]);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(out.code, 1, "some repositories gave no report:\n{text}");

    assert_eq!(
        files_under(dir.path()),
        ["a/b/reports/hw1-ada.json"],
        "{text}"
    );
    let kept: Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("hw1-ada.json")).unwrap()).unwrap();
    assert_eq!(kept["student"], "ada");
    assert_eq!(
        kept["generated_at"], "2026-01-17T10:00:00Z",
        "the newest is kept"
    );
    assert!(
        text.contains("hw1-bob: no report: no run has uploaded the artifact course-report"),
        "{text}"
    );
    assert!(
        text.contains("hw1-cy: no report: every course-report artifact has expired"),
        "{text}"
    );
    assert!(text.contains("1 of 3 repositories gave a report"), "{text}");
    assert!(
        !text.contains("hw10-dan") && !text.contains("course-template"),
        "{text}"
    );
    for (mock, times) in [
        (&list1, 1),
        (&list2, 1),
        (&ada_list, 1),
        (&ada_dl, 1),
        (&bob_list, 1),
        (&cy_list, 1),
    ] {
        mock.assert_calls(times);
    }
    // The blob host answered: so it was asked without the token.
    ada_blob.assert_calls(1);

    // `class` reads what was fetched.
    let mut class = cargo_bin_cmd!("checker");
    class.arg("class").arg(&out_dir).env("NO_COLOR", "1");
    let rolled = run(&mut class);
    assert_eq!(rolled.code, 0, "{}", rolled.stderr);
    assert!(rolled.stdout.contains("ada"), "{}", rolled.stdout);
}

/// One repository `hw1-x` whose newest artifact is `zip`.
fn one_repo<'a>(api: &'a MockServer, blobs: &'a MockServer, zip: Vec<u8>) -> Vec<Mock<'a>> {
    vec![
        api.mock(|when, then| {
            when.method(GET).path(format!("/orgs/{ORG}/repos"));
            then.status(200).json_body(json!([repo_json("hw1-x")]));
        }),
        artifacts(
            api,
            "hw1-x",
            vec![artifact(api, "hw1-x", 5, "2026-01-17T10:00:00Z", false)],
        ),
        download(api, blobs, "hw1-x", 5),
        blob(blobs, "hw1-x", 5, zip),
    ]
}

#[test]
fn a_zip_holding_something_else_is_named_and_nothing_is_written() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "other files",
            zip_of(&[("notes.txt", b"hello"), ("../../evil", b"x")]),
            "the artifact holds no report.json (it holds notes.txt, ../../evil)",
        ),
        (
            "not a zip",
            b"<html>surprise</html>".to_vec(),
            "the artifact is not a readable zip",
        ),
        (
            "another tool's JSON",
            zip_of(&[("report.json", br#"{"version": 1, "tests": []}"#)]),
            "report.json is unusable: not a course report",
        ),
        (
            "a report that expands beyond the cap",
            zip_of(&[("report.json", &vec![b' '; 5 << 20])]),
            "report.json in the artifact is 5242880 bytes",
        ),
    ];
    for (what, zip, said) in cases {
        let (api, blobs) = (MockServer::start(), MockServer::start());
        let _mocks = one_repo(&api, &blobs, zip);
        let dir = tempfile::tempdir().unwrap();
        let out = fetch(&api, &dir.path().join("out"), &[]);
        let text = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(out.code, 1, "{what}:\n{text}");
        assert!(
            text.contains(&format!("hw1-x: no report: {said}")),
            "{what}:\n{text}"
        );
        assert!(
            files_under(dir.path()).is_empty(),
            "{what}: {:?}",
            files_under(dir.path())
        );
    }
}

#[test]
fn refusals_are_named_and_stop_only_when_they_concern_every_repository() {
    // A refused token stops at the listing, with what to check.
    let api = MockServer::start();
    api.mock(|when, then| {
        when.method(GET).path(format!("/orgs/{ORG}/repos"));
        then.status(401).json_body(json!({
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/rest"
        }));
    });
    let dir = tempfile::tempdir().unwrap();
    let out = fetch(&api, &dir.path().join("out"), &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("HTTP 401: Bad credentials"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("GITHUB_TOKEN was refused"),
        "{}",
        out.stderr
    );

    // No such organization.
    let api = MockServer::start();
    api.mock(|when, then| {
        when.method(GET).path(format!("/orgs/{ORG}/repos"));
        then.status(404)
            .json_body(json!({ "message": "Not Found" }));
    });
    let out = fetch(&api, &dir.path().join("out"), &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("No such organization"),
        "{}",
        out.stderr
    );

    // One repository hidden (404), one forbidden (403): lines, not a stop.
    let api = MockServer::start();
    api.mock(|when, then| {
        when.method(GET).path(format!("/orgs/{ORG}/repos"));
        then.status(200)
            .json_body(json!([repo_json("hw1-a"), repo_json("hw1-b")]));
    });
    api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/hw1-a/actions/artifacts"));
        then.status(404)
            .json_body(json!({ "message": "Not Found" }));
    });
    api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/hw1-b/actions/artifacts"));
        then.status(403)
            .json_body(json!({ "message": "Resource not accessible by integration" }));
    });
    let out = fetch(&api, &dir.path().join("out"), &[]);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(out.code, 1, "{text}");
    assert!(
        text.contains("hw1-a: no report: HTTP 404: Not Found (the token cannot see"),
        "{text}"
    );
    assert!(
        text.contains("hw1-b: no report: HTTP 403: Resource not accessible by integration"),
        "{text}"
    );
    // A download that answers 410: expired between the list and the download.
    let (api, blobs) = (MockServer::start(), MockServer::start());
    api.mock(|when, then| {
        when.method(GET).path(format!("/orgs/{ORG}/repos"));
        then.status(200).json_body(json!([repo_json("hw1-x")]));
    });
    artifacts(
        &api,
        "hw1-x",
        vec![artifact(&api, "hw1-x", 5, "2026-01-17T10:00:00Z", false)],
    );
    api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/hw1-x/actions/artifacts/5/zip"));
        then.status(410)
            .json_body(json!({ "message": "Artifact has expired" }));
    });
    let out = fetch(&api, &dir.path().join("out"), &[]);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains("hw1-x: no report: the newest course-report artifact expired before it could be downloaded (410)"), "{text}");
    drop(blobs);
}

#[test]
fn a_rate_limit_used_up_for_long_stops_with_the_reset_time() {
    let api = MockServer::start();
    api.mock(|when, then| {
        when.method(GET).path(format!("/orgs/{ORG}/repos"));
        then.status(200)
            .json_body(json!([repo_json("hw1-a"), repo_json("hw1-b")]));
    });
    let reset = chrono::Utc::now().timestamp() + 3600;
    let limited = api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/hw1-a/actions/artifacts"));
        then.status(403)
            .header("x-ratelimit-limit", "5000")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", reset.to_string())
            .json_body(json!({ "message": "API rate limit exceeded for user ID 1." }));
    });
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = fetch(&api, &dir.path().join("out"), &["--max-wait", "5"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(started.elapsed().as_secs() < 5, "it did not wait an hour");
    let at = chrono::DateTime::from_timestamp(reset + 1, 0)
        .unwrap()
        .format("%Y-%m-%d %H:%M")
        .to_string();
    assert!(out.stderr.contains("stopped at hw1-a"), "{}", out.stderr);
    assert!(
        out.stderr.contains("rate limit is used up; it resets at"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&at), "{at} in {}", out.stderr);
    limited.assert_calls(1);
}

#[test]
fn a_missing_token_is_said_before_any_request() {
    let mut cmd = cargo_bin_cmd!("checker");
    cmd.args([
        "class",
        "fetch",
        "--org",
        ORG,
        "--assignment",
        "hw1",
        "--out",
        "x",
    ])
    .args(["--api-url", "http://127.0.0.1:9"])
    .env_remove("GITHUB_TOKEN");
    let out = run(&mut cmd);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("set GITHUB_TOKEN"), "{}", out.stderr);
}

/// The scale of a large class: 300 repositories over three pages, each with
/// a report. Prints the time and the requests made (the closing note of
/// issue 18 quotes them); asserts the count, which is exact.
#[test]
fn three_hundred_repositories() {
    let (api, blobs) = (MockServer::start(), MockServer::start());
    let names: Vec<String> = (0..300).map(|i| format!("hw1-student{i:03}")).collect();
    let pages: Vec<Vec<Value>> = names
        .chunks(100)
        .map(|c| c.iter().map(|n| repo_json(n)).collect())
        .collect();
    for (i, page) in pages.iter().enumerate() {
        let next = (i + 1 < pages.len())
            .then(|| api.url(format!("/orgs/{ORG}/repos?per_page=100&page={}", i + 2)));
        api.mock(|when, then| {
            let when = when.method(GET).path(format!("/orgs/{ORG}/repos"));
            if i == 0 {
                when.query_param_missing("page");
            } else {
                when.query_param("page", (i + 1).to_string());
            }
            let then = then.status(200).json_body(Value::Array(page.clone()));
            if let Some(next) = next {
                then.header("link", format!("<{next}>; rel=\"next\""));
            }
        });
    }
    let zip = zip_of(&[(
        "report.json",
        report("s", "2026-01-17T10:00:00Z").as_bytes(),
    )]);
    let mut mocks = Vec::new();
    for n in &names {
        mocks.push(artifacts(
            &api,
            n,
            vec![artifact(&api, n, 7, "2026-01-17T10:00:00Z", false)],
        ));
        mocks.push(download(&api, &blobs, n, 7));
        mocks.push(blob(&blobs, n, 7, zip.clone()));
    }
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = fetch(&api, &dir.path().join("out"), &[]);
    let took = started.elapsed();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fs::read_dir(dir.path().join("out")).unwrap().count(), 300);
    // 3 pages + per repository: the artifact list, the download, the blob.
    assert!(
        out.stdout
            .contains("300 of 300 repositories gave a report (903 requests)"),
        "{}",
        out.stdout
    );
    println!(
        "300 repositories fetched in {:.1} s, 903 requests",
        took.as_secs_f64()
    );
}

/// A short secondary rate limit (`Retry-After`) is waited out and the
/// request tried again, a few times, before the fetch stops.
#[test]
fn a_short_rate_limit_is_waited_out_and_retried() {
    let api = MockServer::start();
    let limited = api.mock(|when, then| {
        when.method(GET).path(format!("/orgs/{ORG}/repos"));
        then.status(429)
            .header("retry-after", "1")
            .json_body(json!({ "message": "You have exceeded a secondary rate limit." }));
    });
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = fetch(&api, &dir.path().join("out"), &["--max-wait", "5"]);
    let took = started.elapsed();
    assert_eq!(out.code, 2, "{}", out.stderr);
    // The first try and three retries, each after the 1 s asked for.
    limited.assert_calls(4);
    assert!(took.as_secs_f64() >= 3.0, "waited {took:?}");
    assert!(
        out.stderr.contains("rate limit is used up"),
        "{}",
        out.stderr
    );
}

/// A renamed repository answers 301 on the API's own server: followed with
/// the token; a redirect to another server is refused without it.
#[test]
fn api_redirects_are_followed_only_on_the_api_server() {
    let (api, blobs) = (MockServer::start(), MockServer::start());
    api.mock(|when, then| {
        when.method(GET).path(format!("/orgs/{ORG}/repos"));
        then.status(200)
            .json_body(json!([repo_json("hw1-moved"), repo_json("hw1-away")]));
    });
    let moved_to = api.url("/repositories/42/actions/artifacts?name=course-report");
    api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/hw1-moved/actions/artifacts"));
        then.status(301).header("location", moved_to);
    });
    let followed = api.mock(|when, then| {
        when.method(GET)
            .path("/repositories/42/actions/artifacts")
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(200).json_body(json!({
            "total_count": 1,
            "artifacts": [artifact(&api, "hw1-moved", 9, "2026-01-17T10:00:00Z", false)]
        }));
    });
    download(&api, &blobs, "hw1-moved", 9);
    blob(
        &blobs,
        "hw1-moved",
        9,
        zip_of(&[(
            "report.json",
            report("mo", "2026-01-17T10:00:00Z").as_bytes(),
        )]),
    );
    let elsewhere = blobs.url("/steal");
    api.mock(|when, then| {
        when.method(GET)
            .path(format!("/repos/{ORG}/hw1-away/actions/artifacts"));
        then.status(302).header("location", elsewhere);
    });
    let stolen = blobs.mock(|when, then| {
        when.method(GET).path("/steal");
        then.status(200).json_body(json!({ "artifacts": [] }));
    });
    let dir = tempfile::tempdir().unwrap();
    let out = fetch(&api, &dir.path().join("out"), &[]);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(out.code, 1, "{text}");
    followed.assert_calls(1);
    stolen.assert_calls(0);
    assert!(dir.path().join("out/hw1-moved.json").is_file(), "{text}");
    assert!(
        text.contains(
            "hw1-away: no report: an answer GitHub does not give: redirected to another server"
        ),
        "{text}"
    );
}
