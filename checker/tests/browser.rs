//! The HTML pages in a real browser: headless Chromium opens the class
//! dashboard and a student's page, and the test reads the DOM Chromium
//! built (after the page's own script ran) and keeps a screenshot of each.
//!
//! Why a browser and not string checks on the file: escaping mistakes,
//! a script that fails, or a policy that blocks the page's own script only
//! show once a browser parses and runs the page. The reports include
//! students named like markup, scripts and spreadsheet formulas, and a
//! failure message with markup: each must come back as text, and nothing
//! from a report may run.
//!
//! Without Chromium the test says so on the terminal (not only in captured
//! output) and passes, so a student's `cargo test` works on any machine;
//! `.ci/run` installs Chromium and sets `REQUIRE_BROWSER=1`, which turns a
//! missing browser into a failure. Screenshots go to `target/browser/`,
//! which CI keeps as an artifact.

mod common;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use checker::engine::process::{self, Waited};
use checker::instructor::report::model::CourseReport;
use serde_json::{json, Value};

/// Student names that would do harm if a page took them as markup or code.
const HOSTILE: [&str; 3] = [
    "<script>document.title='PWNED'</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
    "=HYPERLINK(\"http://example.invalid\",\"x\")",
];
/// A cause id with markup, as a tampered report could carry.
const MARKUP_CAUSE: &str =
    "<svg onload=\"document.body.setAttribute('data-pwned','1')\">sequential</svg>";
const MARKUP_MESSAGE: &str = "names came back as <b>bold</b> & <i>out of order</i>";

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let names = ["chromium", "chromium-browser", "google-chrome", "chrome"];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` (an address) with `args`, in a process
/// group killed on every path out, and returns what it printed.
fn run_chromium(browser: &Path, profile: &Path, args: &[String], page: &str) -> String {
    try_chromium(browser, profile, args, page).unwrap_or_else(|e| panic!("{e}"))
}

/// [`run_chromium`], with a browser that cannot run as an error.
fn try_chromium(
    browser: &Path,
    profile: &Path,
    args: &[String],
    page: &str,
) -> Result<String, String> {
    let out_file = profile.join("stdout.txt");
    let stdout = fs::File::create(&out_file).expect("a file for Chromium's output");
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!(
        "--user-data-dir={}",
        profile.join("profile").display()
    ))
    .args(args)
    .arg(page)
    .stdin(Stdio::null())
    .stdout(stdout)
    .stderr(Stdio::null());
    let mut child = process::spawn(&mut cmd)
        .map_err(|e| format!("{} could not be started: {e}", browser.display()))?;
    let waited = child
        .wait(Some(Duration::from_secs(60)))
        .map_err(|e| format!("{} could not be waited for: {e}", browser.display()))?;
    if !matches!(waited, Waited::Exited(s) if s.success()) {
        return Err(format!(
            "expected headless Chromium to exit on its own within 60 s with success, got {waited:?} ({} {})",
            browser.display(),
            args.join(" ")
        ));
    }
    fs::read_to_string(&out_file).map_err(|e| format!("Chromium's output: {e}"))
}

fn required() -> bool {
    std::env::var_os("REQUIRE_BROWSER").is_some_and(|v| v == "1")
}

/// Says on the terminal (libtest captures `print!` of passing tests) that
/// the test did not run, and why.
fn did_not_run(why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "\nNOTE: the browser test did NOT run: {why}. CI runs it.\n"
    );
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A class of reports made from the checked-in fixture: one student per
/// hostile name, plus one who solved everything.
fn write_class(dir: &Path) {
    let fixture: Value = serde_json::from_str(
        &fs::read_to_string(common::course_root().join("checker/tests/fixtures/report-v3.json"))
            .expect("the fixture report"),
    )
    .expect("the fixture is JSON");
    for (i, name) in HOSTILE.iter().enumerate() {
        let mut r = fixture.clone();
        r["student"] = json!(name);
        r["generated_at"] = json!(format!("2026-11-23T12:0{i}:00Z"));
        let failed = r["exercises"][0]["tests"]
            .as_array_mut()
            .expect("tests")
            .iter_mut()
            .find(|t| t["status"] == "failed")
            .expect("the fixture has a failing test");
        failed["message"] = json!(MARKUP_MESSAGE);
        if i == 0 {
            // A cause id is data from a student too (shown in the causes' table).
            failed["cause"] = json!(MARKUP_CAUSE);
        }
        fs::write(dir.join(format!("s{i}.json")), r.to_string()).unwrap();
    }
    let mut solved = fixture.clone();
    solved["student"] = json!("Grace");
    solved["points"]["earned"] = json!(20);
    let e = &mut solved["exercises"][0];
    e["status"] = json!("solved");
    e["points"]["earned"] = json!(10);
    for t in e["tests"].as_array_mut().unwrap() {
        t["status"] = json!("passed");
        t["message"] = Value::Null;
        t["observed"] = Value::Null;
        t["expected"] = Value::Null;
    }
    fs::write(dir.join("grace.json"), solved.to_string()).unwrap();
}

/// `text` as Chromium serialises it inside an element.
fn as_dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn assert_nothing_ran(dom: &str, what: &str) {
    assert!(
        !dom.contains("data-pwned=\"1\"") && !dom.contains("<title>PWNED</title>"),
        "expected no script from a report to run in the {what}, but the DOM shows one did:\n{dom}"
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "expected the {what} to hold exactly one script, its own"
    );
    assert!(
        !dom.contains("<img"),
        "expected no <img> in the {what}: one came from a report"
    );
}

#[test]
fn the_html_pages_render_in_a_real_browser_and_run_nothing_from_reports() {
    let Some(browser) = chromium() else {
        assert!(
            !required(),
            "REQUIRE_BROWSER=1 but no Chromium was found on PATH (or in $CHROMIUM): \
             install it (Debian: apt-get install chromium)"
        );
        did_not_run("no Chromium on PATH (Debian: apt-get install chromium)");
        return;
    };
    let started = Instant::now();
    let shots = common::course_target().join("browser");
    fs::create_dir_all(&shots).expect("target/browser");
    // Under target/, not /tmp: a sandboxed Chromium (Ubuntu's snap) cannot
    // read another program's /tmp.
    let work = tempfile::tempdir_in(&shots).expect("a temporary folder in target/browser");
    // A browser that cannot run headless here (a sandbox, no display
    // libraries) is the machine's problem, not the pages': said, not failed,
    // unless CI requires the browser.
    if let Err(e) = try_chromium(&browser, work.path(), &["--dump-dom".into()], "about:blank") {
        assert!(!required(), "REQUIRE_BROWSER=1 but {e}");
        did_not_run(&format!(
            "Chromium was found but cannot run headless here: {e}"
        ));
        return;
    }
    let reports = work.path().join("reports");
    fs::create_dir(&reports).unwrap();
    write_class(&reports);

    // The class page, made by the binary as an instructor would.
    let class_html = work.path().join("class.html");
    let out = common::run(
        common::checker(work.path())
            .arg("class")
            .arg(&reports)
            .args(["--format", "html", "-o"])
            .arg(&class_html),
    );
    assert_eq!(
        out.code, 0,
        "expected `class --format html` to succeed: {}",
        out.stderr
    );
    // Sorted by points, highest first, through the page's own script.
    let dom = run_chromium(
        &browser,
        work.path(),
        &["--dump-dom".into()],
        &format!("{}#sort=3-desc", file_url(&class_html)),
    );
    assert_nothing_ran(&dom, "class page");
    for name in HOSTILE.iter().chain(&["Grace"]) {
        assert!(
            dom.contains(&format!("<th scope=\"row\">{}</th>", as_dom_text(name))),
            "expected the student {name:?} as text in a row header of the class page:\n{dom}"
        );
    }
    for id in ["ex01", "ex02"] {
        assert!(
            dom.contains(&format!(">{id}</button>")),
            "expected a column for {id}"
        );
    }
    assert!(
        dom.contains("25% (1/4)") && dom.contains("100% (4/4)"),
        "expected completion 1 of 4 for ex01 and 4 of 4 for ex02:\n{dom}"
    );
    assert!(
        dom.contains(&as_dom_text(MARKUP_MESSAGE)),
        "expected the failure message with markup as text in the common mistakes:\n{dom}"
    );
    assert!(
        dom.contains("Causes found most often") && dom.contains(&as_dom_text(MARKUP_CAUSE)),
        "expected the failures grouped by cause, the cause as text:\n{dom}"
    );
    let body = &dom[dom.find("<tbody>").expect("a table body")..];
    let first_row = &body[..body.find("</tr>").expect("a row")];
    assert!(
        first_row.contains(">Grace<") && first_row.contains("20 / 20"),
        "expected the page's own script to sort by points, highest first (Grace, 20 / 20), \
         but the first row is: {first_row}"
    );
    assert!(
        dom.contains("aria-sort=\"descending\""),
        "expected the sorted column to say so to screen readers (aria-sort)"
    );
    run_chromium(
        &browser,
        work.path(),
        &[
            format!("--screenshot={}", shots.join("class.png").display()),
            "--window-size=1200,1400".into(),
        ],
        &file_url(&class_html),
    );

    // Progress over time: the same class a week earlier is a second
    // snapshot; every student who has not solved everything is stalled.
    let week_before = work.path().join("week-before");
    fs::create_dir(&week_before).unwrap();
    for entry in fs::read_dir(&reports).unwrap() {
        let path = entry.unwrap().path();
        let mut r: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let at = r["generated_at"]
            .as_str()
            .unwrap()
            .replace("2026-11-23", "2026-11-16");
        r["generated_at"] = json!(at);
        fs::write(week_before.join(path.file_name().unwrap()), r.to_string()).unwrap();
    }
    let progress_html = work.path().join("progress.html");
    let out = common::run(
        common::checker(work.path())
            .arg("class")
            .args([&week_before, &reports])
            .args(["--format", "html", "-o"])
            .arg(&progress_html),
    );
    assert_eq!(
        out.code, 0,
        "expected `class` over two snapshots to succeed: {}",
        out.stderr
    );
    let dom = run_chromium(
        &browser,
        work.path(),
        &["--dump-dom".into()],
        &file_url(&progress_html),
    );
    assert_nothing_ran(&dom, "class page with progress");
    let progress = &dom[dom.find("id=\"progress\"").expect("a progress section")..];
    assert!(
        progress.contains("aria-labelledby=\"progress-title\"") && progress.contains("<polyline"),
        "expected the completion-over-time chart:\n{progress}"
    );
    for name in HOSTILE {
        assert!(
            progress.contains(&format!("<th scope=\"row\">{}</th>", as_dom_text(name))),
            "expected the stalled student {name:?} as text in the progress section:\n{progress}"
        );
    }

    // One student's page, with the timeline of their failing exercise.
    let mut report: CourseReport = serde_json::from_str(
        &fs::read_to_string(reports.join("s0.json")).expect("the first student's report"),
    )
    .expect("the report reads back");
    report.student = Some(HOSTILE[1].to_string());
    let student_html = work.path().join("student.html");
    fs::write(
        &student_html,
        checker::instructor::html::student_page(&report),
    )
    .unwrap();
    let dom = run_chromium(
        &browser,
        work.path(),
        &["--dump-dom".into()],
        &file_url(&student_html),
    );
    assert_nothing_ran(&dom, "student page");
    assert!(
        dom.contains(&as_dom_text(HOSTILE[1])),
        "expected the student's name as text on their page"
    );
    assert!(
        dom.contains("names_come_back_in_input_order")
            && dom.contains(&as_dom_text(MARKUP_MESSAGE)),
        "expected the first failing test and its message on the student's page"
    );
    assert!(
        dom.matches("<svg role=\"img\"").count() >= 2,
        "expected the failing test's timelines (observed and expected) as two pictures"
    );
    run_chromium(
        &browser,
        work.path(),
        &[
            format!("--screenshot={}", shots.join("student.png").display()),
            "--window-size=1000,1200".into(),
        ],
        &file_url(&student_html),
    );
    for shot in ["class.png", "student.png"] {
        let len = fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(
            len > 10_000,
            "expected a screenshot in target/browser/{shot}, got {len} bytes"
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "browser test: 6 Chromium runs in {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}
