//! Every renderer, on fixed reports, compared with reviewed snapshots
//! (`tests/snapshots/`). No cargo build and no suite runs: these take
//! milliseconds. After an intended change of output, run
//! `INSTA_UPDATE=always cargo test -p checker --test renderers` and review
//! the diff of the snapshot files before committing them.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use checker::author::dev_check::RuleResult;
use checker::author::soak;
use checker::author::verify::{Row, Summary};
use checker::author::verify_table::{self, Table};
use checker::engine::cargo_build::CompileError;
use checker::engine::check::Report;
use checker::engine::libtest::{Outcome, TestResult};
use checker::engine::manifest::{CourseInfo, Exercise};
use checker::engine::verdict::{Hang, Status, Verdict};
use checker::instructor::report::{self, CourseReport, Format};
use checker::student::{list, view};

fn exercise(n: usize, title: &str) -> Exercise {
    let id = format!("ex{n:02}");
    Exercise {
        path: PathBuf::from(format!(
            "exercises/{id}-{}",
            title.to_lowercase().replace(' ', "-")
        )),
        id,
        title: title.into(),
        topic: format!("what {title} teaches"),
        checklist: vec![
            "I can run several futures concurrently".into(),
            format!("I understand {title}"),
        ],
        hints: Vec::new(),
        points: 10,
        limit_secs: 60,
        exclusive: false,
    }
}

fn test(name: &str, outcome: Outcome, message: &str) -> TestResult {
    TestResult {
        name: name.into(),
        outcome,
        message: message.into(),
        duration: Some(Duration::from_millis(120)),
        timelines: None,
        cause: None,
        candidates: Vec::new(),
    }
}

fn report(n: usize, title: &str, status: Status, tests: Vec<TestResult>, changed: u64) -> Report {
    Report {
        exercise: exercise(n, title),
        verdict: Verdict {
            status,
            tests,
            elapsed: Duration::from_millis(340),
        },
        reused: n.is_multiple_of(2),
        touched: changed > 0,
        changed_at: UNIX_EPOCH + Duration::from_secs(changed),
    }
}

/// Two ops of 4 s each given their own 4 s deadline, one after the other,
/// against both cut at the shared deadline: the timelines a grader records.
fn ops_in_turn() -> (grading_protocol::Timeline, grading_protocol::Timeline) {
    use grading_protocol::{Clock, Timeline};
    let s = Duration::from_secs;
    let observed = Timeline::new("what your code did", Clock::Virtual)
        .lane("op 1", &[(s(0), s(4))])
        .lane("op 2", &[(s(4), s(8))])
        .mark("deadline", s(4));
    let expected = Timeline::new("what a correct solution does", Clock::Virtual)
        .lane("op 1", &[(s(0), s(4))])
        .lane("op 2", &[(s(0), s(4))])
        .mark("deadline", s(4));
    (observed, expected)
}

/// Exercise `n`'s student file, as the course lays it out.
fn student_file(n: usize, title: &str) -> String {
    format!("{}/src/lib.rs", exercise(n, title).path.display())
}

/// A made-up course of eight toy exercises (no course's own): one exercise
/// in every state, the one changed last being a compile error.
fn course_in_every_state() -> Vec<Report> {
    let todo = "NOT STARTED: your code reached a `todo!()` (not yet implemented).";
    let pool = student_file(4, "Toy pool");
    vec![
        report(
            1,
            "Toy sleeps",
            Status::Solved,
            vec![test("a", Outcome::Passed, ""), test("b", Outcome::Passed, "")],
            100,
        ),
        report(
            2,
            "Toy deadline",
            Status::Failing,
            vec![
                // First in the suite, but asserts no cause: shown after the
                // test that proves one.
                test("all_within_returns_as_soon_as_every_op_is_done", Outcome::Failed, "\nall_within returned after 8.0 s, though every op was done by then.\nTry: return as soon as every op is done.\n"),
                TestResult {
                    timelines: Some(ops_in_turn()),
                    cause: Some(grading_protocol::Cause::DeadlinePerOp),
                    ..test("ops_share_one_deadline", Outcome::Failed, "\nthe ops took 8.0 s, expected 4.0 s: each op got its own deadline.\nTry: compute the deadline once.\n\ntest failed at tests/ex02.rs:10:5")
                },
                test("results_keep_order", Outcome::Passed, ""),
            ],
            200,
        ),
        report(
            3,
            "Toy fetch",
            Status::NotStarted,
            vec![test("t", Outcome::Failed, todo)],
            0,
        ),
        report(
            4,
            "Toy pool",
            Status::DoesNotCompile(CompileError {
                location: Some(format!("{pool}:1")),
                message: "mismatched types".into(),
                rendered: format!("error[E0308]: mismatched types\n --> {pool}:1:28\n  |\n1 | pub fn read_all() -> u32 {{ \"x\" }}\n  |                            ^^^ expected `u32`, found `&str`\n"),
            }),
            Vec::new(),
            900,
        ),
        report(
            5,
            "Toy sum",
            Status::MissingFile(PathBuf::from(student_file(5, "Toy sum"))),
            Vec::new(),
            300,
        ),
        report(
            6,
            "Toy bank",
            Status::TimedOut(Hang::Watchdog(Duration::from_secs(3))),
            vec![test("deadlock", Outcome::Failed, "\nWATCHDOG: no result after 3.0 s of real time, so the test was stopped.\nTwo transfers wait for each other's lock.\nTry: lock the lower account first.\n")],
            250,
        ),
        report(
            7,
            "Toy queue",
            Status::TimedOut(Hang::Killed(Duration::from_secs(60))),
            Vec::new(),
            240,
        ),
        report(
            8,
            "Toy blocking",
            Status::Crashed("SIGABRT: the process aborted (signal 6)".into()),
            Vec::new(),
            230,
        ),
    ]
}

fn scope(whole: bool, just_saved: Option<&str>) -> view::Scope<'_> {
    static INFO: std::sync::LazyLock<CourseInfo> = std::sync::LazyLock::new(|| CourseInfo {
        title: "Toy course".into(),
        welcome: "Welcome to the toy course: start with ex01.".into(),
        final_message: String::new(),
    });
    view::Scope {
        whole_course: whole,
        just_saved,
        bar: view::BarStyle::Ascii,
        charset: grading_protocol::Charset::Ascii,
        info: &INFO,
    }
}

/// Renders with colour codes, then drops them (as a piped stream would).
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_student_view_explains_the_exercise_changed_last_then_the_course() {
    let reports = course_in_every_state();
    insta::assert_snapshot!(plain(&view::render(&reports, scope(true, None))));
}

#[test]
fn the_student_view_in_watch_explains_the_exercise_just_saved() {
    let reports = course_in_every_state();
    // The exercise that hung (the watchdog stopped its test).
    let hung = reports[5].exercise.id.as_str();
    insta::assert_snapshot!(plain(&view::render(&reports, scope(true, Some(hung)))));
    insta::assert_snapshot!(
        "just_saved_and_solved",
        plain(&view::render(&reports, scope(true, Some("ex01"))))
    );
}

#[test]
fn a_partial_check_all_solved_is_not_the_whole_course() {
    let reports = vec![course_in_every_state().remove(0)];
    insta::assert_snapshot!(plain(&view::render(&reports, scope(false, None))));
}

#[test]
fn the_whole_course_solved() {
    let mut reports = course_in_every_state();
    for r in &mut reports {
        r.verdict.status = Status::Solved;
        r.reused = false;
    }
    insta::assert_snapshot!(plain(&view::render(&reports, scope(true, None))));
}

#[test]
fn a_fresh_course_is_welcomed_and_a_solved_one_gets_its_final_message() {
    let mut reports = course_in_every_state();
    for r in &mut reports {
        r.verdict.status = Status::NotStarted;
    }
    let fresh = plain(&view::render(&reports, scope(true, None)));
    assert!(fresh.contains("Welcome to the toy course"), "{fresh}");
    let partial = plain(&view::render(&reports, scope(false, None)));
    assert!(
        !partial.contains("Welcome"),
        "only for the whole course: {partial}"
    );
    for r in &mut reports {
        r.verdict.status = Status::Solved;
    }
    let info = CourseInfo {
        final_message: "You made it.".into(),
        ..CourseInfo::default()
    };
    let done = plain(&view::render(
        &reports,
        view::Scope {
            info: &info,
            ..scope(true, None)
        },
    ));
    assert!(
        done.contains("You made it.") && !done.contains("Welcome"),
        "{done}"
    );
}

#[test]
fn the_list_ticks_an_item_only_when_every_exercise_proving_it_is_solved() {
    let reports = course_in_every_state();
    insta::assert_snapshot!(plain(&list::render(&reports[..3])));
}

fn course_report() -> CourseReport {
    let mut r = CourseReport::new(
        &course_in_every_state(),
        "Toy course",
        Some("Ada Lovelace".into()),
        Some("0123456789abcdef".into()),
    );
    r.generated_at = "2026-11-30T12:00:00Z".into();
    r.checker_version = "0.0.0".into();
    r
}

#[test]
fn every_report_format() {
    let report = course_report();
    // ex02's suite is a folder, the others single files.
    let suites = report
        .exercises
        .iter()
        .map(|e| {
            let file = if e.id == "ex02" {
                "tests/ex02/main.rs".to_string()
            } else {
                format!("tests/{}.rs", e.id)
            };
            (e.id.clone(), file)
        })
        .collect();
    for (name, format) in [
        ("json", Format::Json),
        ("junit", Format::Junit),
        ("classroom", Format::Classroom),
        ("exercism", Format::Exercism),
        ("markdown", Format::Markdown),
    ] {
        insta::assert_snapshot!(
            format!("report_{name}"),
            report::render_report(format, &report, &suites).expect("every format renders")
        );
    }
}

#[test]
fn the_proof_table() {
    use checker::engine::event::Planned;
    let planned = vec![
        Planned {
            exercise: "ex01".into(),
            label: "stub".into(),
            expected: "every test fails, not started".into(),
        },
        Planned {
            exercise: "ex01".into(),
            label: "mistake input-order".into(),
            expected: "the_fastest_wins fails".into(),
        },
    ];
    let table = Table::new(&planned);
    let rows = vec![
        Row {
            exercise: "ex01".into(),
            label: "stub".into(),
            expected: planned[0].expected.clone(),
            ok: true,
            detail: "3/3 fail, not started (0.0 s)".into(),
            reused: true,
        },
        Row {
            exercise: "ex01".into(),
            label: "mistake input-order".into(),
            expected: planned[1].expected.clone(),
            ok: false,
            detail: "`the_fastest_wins` fails, but its message does not contain \"one after another\":\nthe winner answered after 3.0 s".into(),
            reused: false,
        },
    ];
    let mut text = table.header();
    for row in &rows {
        text.push_str(&table.row(row));
    }
    text.push_str(&verify_table::summary(&Summary {
        rows,
        elapsed: Duration::from_secs(42),
        profile: Default::default(),
    }));
    insta::assert_snapshot!(text);
}

#[test]
fn the_soak_table() {
    let options = soak::Options {
        only: Vec::new(),
        runs: 20,
        load: true,
        jobs: 2,
        scratch: "proof".into(),
        target_dir: None,
    };
    let mut text = soak::header(&options);
    text.push('\n');
    text.push_str(&soak::render_row(&soak::Row {
        exercise: "ex01".into(),
        passed: 19,
        failed: 1,
        times: vec![
            Duration::from_millis(100),
            Duration::from_millis(120),
            Duration::from_millis(400),
        ],
        first_failure: Some("racing_withdrawals: overdrawn".into()),
    }));
    insta::assert_snapshot!(text);
}

#[test]
fn the_dev_check_report() {
    let results = vec![
        RuleResult {
            rule: "every exercise declares the same dependencies",
            problems: Vec::new(),
        },
        RuleResult {
            rule: "the solutions are rustfmt-clean",
            problems: vec!["solutions/ex01.rs is not rustfmt-clean: `rustfmt --edition 2021 solutions/ex01.rs`".into()],
        },
    ];
    insta::assert_snapshot!(checker::author::dev_check::render(&results));
}

/// A pool that read sequentially with two workers: one lane full, one empty, over
/// what a correct pool does; and 10 000 tasks as one row of how many ran.
fn timelines() -> (
    grading_protocol::Timeline,
    grading_protocol::Timeline,
    grading_protocol::Timeline,
) {
    use grading_protocol::{Clock, Timeline};
    let s = Duration::from_secs;
    let observed = Timeline::new("what your code did", Clock::Virtual)
        .lane(
            "worker 1",
            &[(s(0), s(1)), (s(1), s(2)), (s(2), s(3)), (s(3), s(4))],
        )
        .lane("worker 2", &[])
        .mark("deadline", s(3));
    let expected = Timeline::new("what a correct solution does", Clock::Virtual)
        .lane("worker 1", &[(s(0), s(1)), (s(1), s(2))])
        .lane("worker 2", &[(s(0), s(1)), (s(1), s(2))])
        .mark("deadline", s(3));
    let mut many = Timeline::new("10000 clients", Clock::Real);
    for i in 0..10_000u64 {
        many = many.lane(
            &format!("client {i}"),
            &[(
                Duration::from_millis(i / 10),
                Duration::from_millis(500 + i / 20),
            )],
        );
    }
    (observed, expected, many)
}

#[test]
fn a_timeline_in_both_charsets() {
    use grading_protocol::{timeline::render_pair, Charset};
    let (observed, expected, many) = timelines();
    for (name, charset) in [("unicode", Charset::Unicode), ("ascii", Charset::Ascii)] {
        let pair = render_pair(&observed, &expected, charset);
        let density = many.render(charset);
        for line in pair.lines().chain(density.lines()) {
            assert!(
                line.chars().count() <= 80,
                "expected 80 columns at most: {line:?}"
            );
        }
        insta::assert_snapshot!(format!("timeline_{name}"), format!("{pair}\n{density}"));
    }
}

/// An op whose end the grader did not see (it saw the op start at 1 s, then
/// saw the function return at 3 s): drawn as unknown, never as busy, in the
/// terminal (both charsets), in HTML and in the JSON report.
#[test]
fn a_span_whose_end_was_not_seen() {
    use grading_protocol::{timeline::render_pair, Charset, Clock, Timeline};
    let s = Duration::from_secs;
    let observed = Timeline::new("what your code did", Clock::Virtual)
        .lane("op 0", &[(s(0), s(1))])
        .lane_partly_seen("op 1", &[(s(1), None)], s(3))
        .mark("deadline", s(2));
    let expected = Timeline::new("what a correct solution does", Clock::Virtual)
        .lane("op 0", &[(s(0), s(1))])
        .lane("op 1", &[(s(0), s(2))])
        .mark("deadline", s(2));
    assert_eq!(observed.peak(), 1, "an end not seen is not running");
    // The JSON report embeds the timeline in its own serde form.
    let json = serde_json::to_string_pretty(&observed).unwrap();
    assert_eq!(
        serde_json::from_str::<Timeline>(&json).unwrap(),
        observed,
        "the JSON report keeps what was seen"
    );
    let mut text = String::new();
    for charset in [Charset::Unicode, Charset::Ascii] {
        text.push_str(&render_pair(&observed, &expected, charset));
        text.push('\n');
    }
    text.push_str(&checker::instructor::html::timeline_svg(&observed, s(3)));
    text.push_str("\n\n");
    text.push_str(&json);
    insta::assert_snapshot!(text);
}
