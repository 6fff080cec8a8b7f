//! Self-contained HTML pages: the class dashboard (`class --format html`)
//! and one student's page (`report --format html`).
//!
//! One file each, with no network access: styles, the sorting script and
//! the pictures (inline SVG) are in the page itself. Everything that comes
//! from a report is data from a student: it is escaped wherever it goes (a
//! name like `<script>…` renders as text), and the page's only script is a
//! fixed one that never reads report data as code. Tables are real tables
//! (caption, header cells with scope), sortable with buttons in their
//! headers (keyboard and screen reader), colour is never the only cue (every
//! cell says its status in words), and the page prints in black on white.

use std::fmt::Write as _;
use std::time::Duration;

use grading_protocol::Timeline;

use crate::instructor::class::Rollup;
use crate::instructor::progress::Progress;
use crate::instructor::report::model::{CourseReport, ExerciseStatus, TestStatus};

/// Text as HTML text or attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --solved: #1a7f37; --failing: #9a6700; --error: #cf222e; --none: #6e7781; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 80rem; padding: 0 1rem; color: #1f2328; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
th[scope="row"] { white-space: nowrap; }
thead th { position: sticky; top: 0; }
td.st { text-align: center; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; }
p.meta { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th button::after { content: " \2195"; color: #8c959f; }
th[aria-sort="ascending"] button::after { content: " \2191"; color: inherit; }
th[aria-sort="descending"] button::after { content: " \2193"; color: inherit; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.st { white-space: nowrap; }
.solved { background: #dafbe1; color: var(--solved); }
.failing { background: #fff8c5; color: var(--failing); }
.error { background: #ffebe9; color: var(--error); }
.none { background: #f6f8fa; color: var(--none); }
pre code, p code { background: #f6f8fa; border-radius: 3px; padding: 0 .2em; }
pre { white-space: pre-wrap; margin: 0; font: 13px/1.35 ui-monospace, "SFMono-Regular", Menlo, monospace; }
figure { margin: .8rem 0; }
figcaption { font-size: .9rem; color: #57606a; }
svg text { font: 11px system-ui, sans-serif; fill: #1f2328; }
.skipped { color: #57606a; }
@media print {
  body { margin: 0; max-width: none; color: #000; }
  th button::after { content: ""; }
  .solved, .failing, .error, .none, thead th { background: none !important; color: #000 !important; }
  section { break-inside: avoid; }
}
"#;

/// Sorts a table by the column whose header button is pressed (again: the
/// other way). Reads only cells' text and `data-sort` values, never runs
/// them. `#sort=<column>` or `#sort=<column>-desc` in the address sorts on
/// load, so a sorted view can be linked.
const SCRIPT: &str = r#"
(function () {
  function key(row, col) {
    var cell = row.cells[col];
    var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    var n = Number(v);
    return isNaN(n) || v === "" ? v.toLowerCase() : n;
  }
  function sortBy(table, col, dir) {
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    heads[col].setAttribute("aria-sort", dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        sortBy(table, col, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
      });
    });
  });
  var m = /^#sort=(\d+)(-desc)?$/.exec(location.hash);
  if (m && tables.length) sortBy(tables[0], Number(m[1]), m[2] ? "descending" : "ascending");
})();
"#;

/// The page around `body`. Escaping is what keeps report data from becoming
/// markup; the content security policy is the second lock: no network at
/// all, and only the script carrying this page's nonce may run, so even
/// markup that slipped through could not run a script or an inline event
/// handler. The nonce is random per page, so a report cannot know it.
fn page(title: &str, body: &str) -> String {
    let nonce = nonce();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; img-src data:\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n<script nonce=\"{nonce}\">{SCRIPT}</script>\n</body>\n</html>\n",
        escape(title)
    )
}

/// 128 random bits in hex, from the standard library's randomly seeded
/// hasher (no crate needed for a nonce).
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        h.finish()
    };
    format!("{:016x}{:016x}", half(), half())
}

/// The class of a status: its colour; the cell also says it in words.
fn status_class(status: Option<ExerciseStatus>) -> &'static str {
    match status {
        Some(ExerciseStatus::Solved) => "solved",
        Some(ExerciseStatus::Failing) => "failing",
        Some(ExerciseStatus::NotStarted) | None => "none",
        Some(_) => "error",
    }
}

/// A sort rank: solved first, then the nearer to solved.
fn status_rank(status: Option<ExerciseStatus>) -> u8 {
    match status {
        Some(ExerciseStatus::Solved) => 0,
        Some(ExerciseStatus::Failing) => 1,
        Some(ExerciseStatus::TimedOut) => 2,
        Some(ExerciseStatus::Crashed) => 3,
        Some(ExerciseStatus::DoesNotCompile) => 4,
        Some(ExerciseStatus::FileMissing) => 5,
        Some(ExerciseStatus::NotStarted) => 6,
        None => 7,
    }
}

/// The one symbol of a status, on the class page and the student page
/// alike (it is never the only cue: the words follow it or are read out).
fn status_symbol(status: Option<ExerciseStatus>) -> &'static str {
    match status {
        Some(ExerciseStatus::Solved) => "✔",
        Some(ExerciseStatus::Failing) => "✘",
        Some(ExerciseStatus::NotStarted) | None => "–",
        Some(
            ExerciseStatus::DoesNotCompile
            | ExerciseStatus::FileMissing
            | ExerciseStatus::TimedOut
            | ExerciseStatus::Crashed,
        ) => "⚠",
    }
}

fn status_label(status: Option<ExerciseStatus>) -> &'static str {
    status.map_or("no report", ExerciseStatus::label)
}

/// The matrix's compact cell: a symbol to see, the words for a screen
/// reader (and as a tooltip).
fn status_cell(status: Option<ExerciseStatus>) -> String {
    format!(
        "<span aria-hidden=\"true\" title=\"{w}\">{}</span><span class=\"sr\">{w}</span>",
        status_symbol(status),
        w = escape(status_label(status))
    )
}

/// The symbol and the words, for a table cell with room for both.
fn status_words(status: Option<ExerciseStatus>) -> String {
    format!("{} {}", status_symbol(status), status_label(status))
}

/// A message as HTML: escaped, and each `backticked` span as code, the way
/// the messages are written (an unpaired backtick stays as it is).
pub fn with_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        out.push_str(&escape(&rest[..open]));
        let _ = write!(out, "<code>{}</code>", escape(&after[..close]));
        rest = &after[close + 1..];
    }
    out.push_str(&escape(rest));
    out
}

/// `checker class --format html`: the class dashboard.
pub fn class_page(r: &Rollup, generated_at: &str) -> String {
    let mut body = String::new();
    let n = r.students.len();
    let _ = writeln!(
        body,
        "<h1>{}: the class</h1>\n<p class=\"meta\">{} student{}, {} exercises · generated {}{}</p>",
        escape(&r.course),
        n,
        if n == 1 { "" } else { "s" },
        r.exercises.len(),
        escape(generated_at),
        if r.skipped.is_empty() {
            String::new()
        } else {
            format!(" · {} report(s) skipped (see below)", r.skipped.len())
        }
    );

    // The student × exercise matrix, as a heat map.
    let _ = writeln!(
        body,
        "<section>\n<h2 id=\"matrix\">Every student, every exercise</h2>\n<table class=\"sortable\" aria-describedby=\"matrix\">\n\
         <caption>Status of each exercise per student: ✔ solved, ✘ failing, ⚠ does not compile, file missing, timed out or crashed, – not started or no report. Press a column header to sort.</caption>\n<thead><tr>\
         <th scope=\"col\"><button type=\"button\">Student</button></th>"
    );
    for e in &r.exercises {
        let _ = write!(
            body,
            "<th scope=\"col\"><button type=\"button\" title=\"{}\">{}</button></th>",
            escape(&e.title),
            escape(&e.id)
        );
    }
    let _ = writeln!(
        body,
        "<th scope=\"col\" class=\"num\"><button type=\"button\">Points</button></th></tr></thead>\n<tbody>"
    );
    for s in &r.students {
        let _ = write!(body, "<tr><th scope=\"row\">{}</th>", escape(&s.student));
        for e in &r.exercises {
            let status = s.statuses.get(&e.id).copied().flatten();
            let _ = write!(
                body,
                "<td class=\"st {}\" data-sort=\"{}\">{}</td>",
                status_class(status),
                status_rank(status),
                status_cell(status)
            );
        }
        let _ = writeln!(
            body,
            "<td class=\"num\" data-sort=\"{}\">{} / {}</td></tr>",
            s.points.earned, s.points.earned, s.points.possible
        );
    }
    let _ = writeln!(body, "</tbody>\n</table>\n</section>");

    // Completion per exercise.
    let _ = writeln!(
        body,
        "<section>\n<h2>Completion per exercise</h2>\n{}\n</section>",
        completion_svg(r)
    );
    // The distribution of points.
    let _ = writeln!(
        body,
        "<section>\n<h2>Points</h2>\n{}\n</section>",
        points_svg(r)
    );

    // The class's common mistakes: by cause, then the tests without one.
    body.push_str(&crate::instructor::causes::html(&r.causes));
    if !r.common_failures.is_empty() {
        let _ = writeln!(
            body,
            "<section>\n<h2>Tests failed most often</h2>\n<table>\n<caption>The class's common mistakes: tests failed by the most students (not-started exercises left out), with the diagnosis most of them got.</caption>\n\
             <thead><tr><th scope=\"col\">Exercise</th><th scope=\"col\">Test</th><th scope=\"col\" class=\"num\">Students</th><th scope=\"col\">Diagnosis</th></tr></thead>\n<tbody>"
        );
        for f in &r.common_failures {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td><pre>{}</pre></td></tr>",
                escape(&f.exercise),
                escape(&f.test),
                f.students,
                with_code(f.message.as_deref().unwrap_or(""))
            );
        }
        let _ = writeln!(body, "</tbody>\n</table>\n</section>");
    }
    if let Some(p) = &r.progress {
        body.push_str(&progress_section(p, r));
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(
            body,
            "<section class=\"skipped\">\n<h2>Reports skipped</h2>\n<ul>"
        );
        for s in &r.skipped {
            let _ = writeln!(
                body,
                "<li><code>{}</code>: {}</li>",
                escape(&s.file.display().to_string()),
                with_code(&s.reason)
            );
        }
        let _ = writeln!(body, "</ul>\n</section>");
    }
    page(&format!("{}: the class", r.course), &body)
}

/// How the class moved: completion per exercise at each snapshot (a chart,
/// and the same numbers as a table), and who solved nothing new between
/// the last two snapshots.
fn progress_section(p: &Progress, r: &Rollup) -> String {
    let labels = p.labels();
    let mut out = String::from("<section>\n<h2 id=\"progress\">Progress over time</h2>\n");
    out.push_str(&progress_svg(p, r, &labels));
    let _ = write!(
        out,
        "\n<table>\n<caption>Share of students who solved each exercise, per snapshot (each snapshot: a folder of reports, at its newest report).</caption>\n<thead><tr><th scope=\"col\">Exercise</th>"
    );
    for l in &labels {
        let _ = write!(out, "<th scope=\"col\" class=\"num\">{}</th>", escape(l));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for e in &r.exercises {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(&e.id));
        for s in &p.snapshots {
            let c = s.completion.get(&e.id).copied().unwrap_or(0.0);
            let _ = write!(out, "<td class=\"num\">{:.0}%</td>", c * 100.0);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    let (a, b) = p.last_two();
    if p.stalled.is_empty() {
        let _ = writeln!(
            out,
            "<p>Every student with a report at both solved something new between {} and {}.</p>",
            escape(&a),
            escape(&b)
        );
    } else {
        let _ = writeln!(
            out,
            "<h3 id=\"stalled\">No progress between {} and {}</h3>\n<table class=\"sortable\" aria-describedby=\"stalled\">\n\
             <caption>Students who solved nothing new between the last two snapshots, the longest stuck first.</caption>\n\
             <thead><tr><th scope=\"col\"><button type=\"button\">Student</button></th><th scope=\"col\"><button type=\"button\">On exercise</button></th>\
             <th scope=\"col\"><button type=\"button\">Since</button></th><th scope=\"col\" class=\"num\"><button type=\"button\">Solved</button></th></tr></thead>\n<tbody>",
            escape(&a),
            escape(&b)
        );
        for s in &p.stalled {
            let title = r
                .exercises
                .iter()
                .find(|e| e.id == s.on)
                .map_or(String::new(), |e| format!(" {}", escape(&e.title)));
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}{title}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(&s.student),
                escape(&s.on),
                escape(&s.since),
                s.solved
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    out
}

/// One line per exercise over the snapshots, labelled at its end with the
/// exercise's id (colour and dashes tell lines apart; the table beside it
/// has the numbers).
fn progress_svg(p: &Progress, r: &Rollup, labels: &[String]) -> String {
    const COLOURS: [&str; 7] = [
        "#0969da", "#1a7f37", "#9a6700", "#cf222e", "#8250df", "#bf3989", "#57606a",
    ];
    const DASHES: [&str; 2] = ["", "6 3"];
    let (left, top, w, h) = (44.0, 10.0, 520.0, 220.0);
    let n = p.snapshots.len();
    let x = |i: usize| left + w * i as f64 / (n.max(2) - 1) as f64;
    let y = |c: f64| top + h * (1.0 - c.clamp(0.0, 1.0));
    let mut svg = String::new();
    for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let yy = y(pct);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#d0d7de\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}%</text>",
            left + w,
            left - 4.0,
            yy + 4.0,
            pct * 100.0,
        );
    }
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(i),
            top + h + 18.0,
            escape(l)
        );
    }
    // End value (per mille) → the exercises whose line ends there.
    let mut ends: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for (k, e) in r.exercises.iter().enumerate() {
        let values: Vec<f64> = p
            .snapshots
            .iter()
            .map(|s| s.completion.get(&e.id).copied().unwrap_or(0.0))
            .collect();
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:.1},{:.1}", x(i), y(*c)))
            .collect();
        let described: Vec<String> = labels
            .iter()
            .zip(&values)
            .map(|(l, c)| format!("{l}: {:.0}%", c * 100.0))
            .collect();
        let colour = COLOURS[k % COLOURS.len()];
        let dash = DASHES[(k / COLOURS.len()) % DASHES.len()];
        let last = values.last().copied().unwrap_or(0.0);
        ends.entry((last * 1000.0).round() as i64)
            .or_default()
            .push(escape(&e.id));
        let _ = write!(
            svg,
            "<g><title>{id}: {}</title><polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{} points=\"{}\"/></g>",
            escape(&described.join(", ")),
            if dash.is_empty() {
                String::new()
            } else {
                format!(" stroke-dasharray=\"{dash}\"")
            },
            points.join(" "),
            id = escape(&e.id),
        );
    }
    // One label per end value (lines ending together share it), pushed
    // apart so that none covers another.
    let mut below = f64::MIN;
    for (end, ids) in ends.iter().rev() {
        let ly = (y(*end as f64 / 1000.0) + 4.0).max(below + 13.0);
        below = ly;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{ly:.1}\">{}</text>",
            left + w + 6.0,
            ids.join(", ")
        );
    }
    let total_w = left + w + 200.0;
    let total_h = (top + h + 40.0).max(below + 8.0);
    format!(
        "<svg role=\"img\" aria-labelledby=\"progress-title\" width=\"{total_w}\" height=\"{total_h:.0}\" viewBox=\"0 0 {total_w} {total_h:.0}\">\
         <title id=\"progress-title\">Share of students who solved each exercise, at each of {n} snapshots</title>{svg}</svg>"
    )
}

/// One horizontal bar per exercise, with its percentage written out.
fn completion_svg(r: &Rollup) -> String {
    let (label_w, bar_w, row_h) = (90.0, 480.0, 22.0);
    let height = row_h * r.exercises.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg role=\"img\" aria-labelledby=\"completion-title\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">\
         <title id=\"completion-title\">Share of students who solved each exercise</title>",
        label_w + bar_w + 110.0,
        label_w + bar_w + 110.0
    );
    for (i, e) in r.exercises.iter().enumerate() {
        let y = row_h * i as f64 + 4.0;
        let w = bar_w * e.completion.clamp(0.0, 1.0);
        let _ = write!(
            svg,
            "<g><title>{id}: {solved} of {students} solved</title>\
             <text x=\"0\" y=\"{ty}\">{id}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"14\" fill=\"#eaeef2\"/>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"14\" fill=\"#1a7f37\"/>\
             <text x=\"{tx}\" y=\"{ty}\">{pct:.0}% ({solved}/{students})</text></g>",
            id = escape(&e.id),
            solved = e.solved,
            students = e.students,
            ty = y + 11.0,
            tx = label_w + bar_w + 6.0,
            pct = e.completion * 100.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// How many students have how many points, in up to ten bins.
fn points_svg(r: &Rollup) -> String {
    let possible = r
        .students
        .iter()
        .map(|s| s.points.possible)
        .max()
        .unwrap_or(0)
        .max(1);
    let bins = 10usize;
    let mut counts = vec![0usize; bins];
    for s in &r.students {
        let b = (s.points.earned as usize * bins / possible as usize).min(bins - 1);
        counts[b] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, bar) = (520.0, 160.0, 46.0);
    let mut svg = format!(
        "<svg role=\"img\" aria-labelledby=\"points-title\" width=\"{w}\" height=\"{}\" viewBox=\"0 0 {w} {}\">\
         <title id=\"points-title\">Number of students per range of points (of {possible})</title>",
        h + 30.0,
        h + 30.0
    );
    for (i, &c) in counts.iter().enumerate() {
        let x = i as f64 * (bar + 6.0);
        let bh = (h - 16.0) * c as f64 / top as f64;
        let lo = possible as usize * i / bins;
        let hi = possible as usize * (i + 1) / bins;
        let _ = write!(
            svg,
            "<g><title>{lo} to {hi} points: {c} student{s}</title>\
             <rect x=\"{x}\" y=\"{y:.1}\" width=\"{bar}\" height=\"{bh:.1}\" fill=\"#0969da\"/>\
             <text x=\"{tx}\" y=\"{cy:.1}\" text-anchor=\"middle\">{c}</text>\
             <text x=\"{tx}\" y=\"{ly}\" text-anchor=\"middle\">{lo}–{hi}</text></g>",
            s = if c == 1 { "" } else { "s" },
            y = h - bh,
            tx = x + bar / 2.0,
            cy = (h - bh - 3.0).max(10.0),
            ly = h + 14.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `report --format html`: one student's page, with the timeline of each
/// failing exercise.
pub fn student_page(report: &CourseReport) -> String {
    let mut body = String::new();
    let who = report
        .student
        .as_deref()
        .map_or(String::new(), |s| format!(": {}", escape(s)));
    let solved = report
        .exercises
        .iter()
        .filter(|e| e.status == ExerciseStatus::Solved)
        .count();
    let _ = writeln!(
        body,
        "<h1>{}{who}</h1>\n<p class=\"meta\">{} / {} points · {solved} of {} exercises solved · generated {}</p>",
        escape(report.course_title()),
        report.points.earned,
        report.points.possible,
        report.exercises.len(),
        escape(&report.generated_at)
    );
    let _ = writeln!(
        body,
        "<table class=\"sortable\">\n<caption>Every exercise. Press a column header to sort.</caption>\n<thead><tr>\
         <th scope=\"col\"><button type=\"button\">Exercise</button></th><th scope=\"col\"><button type=\"button\">Status</button></th>\
         <th scope=\"col\" class=\"num\"><button type=\"button\">Tests passed</button></th><th scope=\"col\" class=\"num\"><button type=\"button\">Points</button></th></tr></thead>\n<tbody>"
    );
    for e in &report.exercises {
        let passed = e
            .tests
            .iter()
            .filter(|t| t.status == TestStatus::Passed)
            .count();
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\"><a href=\"#{id}\">{id}</a> {title}</th><td class=\"st {class}\" data-sort=\"{rank}\">{words}</td>\
             <td class=\"num\" data-sort=\"{passed}\">{passed} / {total}</td><td class=\"num\" data-sort=\"{earned}\">{earned} / {possible}</td></tr>",
            id = escape(&e.id),
            title = escape(&e.title),
            class = status_class(Some(e.status)),
            rank = status_rank(Some(e.status)),
            words = status_words(Some(e.status)),
            total = e.tests.len(),
            earned = e.points.earned,
            possible = e.points.possible,
        );
    }
    let _ = writeln!(body, "</tbody>\n</table>");
    for e in report
        .exercises
        .iter()
        .filter(|e| e.status != ExerciseStatus::Solved && e.status != ExerciseStatus::NotStarted)
    {
        let _ = writeln!(
            body,
            "<section id=\"{}\">\n<h2>{} {}: {}</h2>",
            escape(&e.id),
            escape(&e.id),
            escape(&e.title),
            escape(e.status.label())
        );
        if let Some(detail) = &e.detail {
            let _ = writeln!(body, "<p>{}</p>", with_code(detail));
        }
        if let Some(t) = crate::engine::verdict::first_failure(&e.tests) {
            let _ = writeln!(
                body,
                "<h3>First failing test: <code>{}</code></h3>\n<pre>{}</pre>",
                escape(&t.name),
                with_code(
                    crate::student::view::clean_message(t.message.as_deref().unwrap_or("")).trim()
                )
            );
            if let (Some(o), Some(x)) = (&t.observed, &t.expected) {
                let end = o.end().max(x.end());
                let _ = writeln!(body, "{}{}", timeline_svg(o, end), timeline_svg(x, end));
            }
        }
        let _ = writeln!(body, "</section>");
    }
    page(
        &format!(
            "{}{}",
            report.course_title(),
            report
                .student
                .as_deref()
                .map_or(String::new(), |s| format!(": {s}"))
        ),
        &body,
    )
}

/// A timeline as a figure: one row per lane (one row of how many ran at
/// once when there are many), marks as dashed lines, times on an axis.
pub fn timeline_svg(t: &Timeline, end: Duration) -> String {
    let (label_w, bar_w, row_h) = (120.0, 560.0, 18.0);
    let many = t.lanes.len() > grading_protocol::timeline::MAX_LANES;
    let rows = if many { 1 } else { t.lanes.len().max(1) };
    let height = row_h * rows as f64 + 36.0;
    let end_s = end.as_secs_f64().max(1e-6);
    let x = |d: Duration| label_w + bar_w * (d.as_secs_f64() / end_s).min(1.0);
    let clock = match t.clock {
        grading_protocol::Clock::Virtual => "tokio's clock",
        grading_protocol::Clock::Real => "real time",
    };
    let summary = format!(
        "{} ({clock}): {} lane{}, at most {} busy at once",
        t.title,
        t.lanes.len(),
        if t.lanes.len() == 1 { "" } else { "s" },
        t.peak()
    );
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">",
        escape(&summary),
        escape(&summary),
        label_w + bar_w + 20.0,
        label_w + bar_w + 20.0
    );
    if many {
        let columns = 140usize;
        let mut counts = vec![0usize; columns];
        // Only work seen to end counts as running.
        for s in t.lanes.iter().flat_map(|l| &l.spans).filter(|s| s.end_seen) {
            let a = ((s.start.as_secs_f64() / end_s) * columns as f64) as usize;
            let b = ((s.end.as_secs_f64() / end_s) * columns as f64).ceil() as usize;
            for c in counts
                .iter_mut()
                .take(b.min(columns))
                .skip(a.min(columns - 1))
            {
                *c += 1;
            }
        }
        let top = counts.iter().copied().max().unwrap_or(0).max(1);
        let cw = bar_w / columns as f64;
        let _ = write!(svg, "<text x=\"0\" y=\"13\">{} lanes</text>", t.lanes.len());
        for (i, &c) in counts.iter().enumerate().filter(|(_, &c)| c > 0) {
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"2\" width=\"{cw:.2}\" height=\"14\" fill=\"#0969da\" fill-opacity=\"{:.2}\"/>",
                label_w + cw * i as f64,
                0.15 + 0.85 * c as f64 / top as f64
            );
        }
    } else {
        for (i, lane) in t.lanes.iter().enumerate() {
            let y = row_h * i as f64;
            let _ = write!(
                svg,
                "<text x=\"0\" y=\"{:.1}\">{}</text>",
                y + 13.0,
                escape(&lane.label)
            );
            let mut spans: Vec<_> = lane.spans.iter().collect();
            spans.sort_by_key(|s| s.start);
            for (k, s) in spans.iter().enumerate() {
                let (a, b) = (x(s.start), x(s.end));
                if !s.end_seen {
                    // Started, then unknown: never drawn as busy.
                    let _ = write!(
                        svg,
                        "<rect class=\"unseen\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" {UNSEEN_STYLE}><title>{}: started at {}, not seen to end (looked until {})</title></rect>",
                        y + 2.0,
                        (b - a).max(1.5),
                        escape(&lane.label),
                        grading_protocol::timeline::fmt(s.start),
                        grading_protocol::timeline::fmt(s.end)
                    );
                    continue;
                }
                let _ = write!(
                    svg,
                    "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{}\"><title>{}: {} to {}</title></rect>",
                    y + 2.0,
                    (b - a).max(1.5),
                    if k % 2 == 0 { "#0969da" } else { "#54aeff" },
                    escape(&lane.label),
                    grading_protocol::timeline::fmt(s.start),
                    grading_protocol::timeline::fmt(s.end)
                );
            }
        }
    }
    let axis_y = row_h * rows as f64 + 4.0;
    for m in &t.marks {
        let mx = x(m.at);
        let _ = write!(
            svg,
            "<line x1=\"{mx:.1}\" y1=\"0\" x2=\"{mx:.1}\" y2=\"{axis_y:.1}\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#cf222e\">{} at {}</text>",
            mx + 3.0,
            axis_y + 28.0,
            escape(&m.label),
            grading_protocol::timeline::fmt(m.at)
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{label_w}\" y1=\"{axis_y:.1}\" x2=\"{:.1}\" y2=\"{axis_y:.1}\" stroke=\"#8c959f\"/>\
         <text x=\"{label_w}\" y=\"{:.1}\">0</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        label_w + bar_w,
        axis_y + 14.0,
        label_w + bar_w,
        axis_y + 14.0,
        grading_protocol::timeline::fmt(end)
    );
    svg.push_str("</svg>");
    if t.has_unseen_ends() {
        let _ = write!(
            svg,
            "<p class=\"legend\"><svg width=\"22\" height=\"14\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" {UNSEEN_STYLE}/></svg> \
             started, but not seen to end (not counted as running)</p>"
        );
    }
    svg.push_str("</figure>");
    svg
}

/// How a span whose end was not seen is drawn: an outline, never filled
/// like busy work.
const UNSEEN_STYLE: &str =
    "fill=\"#ffffff\" fill-opacity=\"0\" stroke=\"#57606a\" stroke-dasharray=\"3 2\"";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_are_code_and_everything_is_escaped() {
        assert_eq!(
            with_code("try `join_all(<futs>)` now"),
            "try <code>join_all(&lt;futs&gt;)</code> now"
        );
        assert_eq!(with_code("a `b` c `d"), "a <code>b</code> c `d");
        assert_eq!(with_code("<script>"), "&lt;script&gt;");
        assert_eq!(with_code("``"), "<code></code>");
    }

    #[test]
    fn both_pages_say_a_status_with_the_same_symbol() {
        use ExerciseStatus::*;
        for s in [
            Solved,
            NotStarted,
            Failing,
            DoesNotCompile,
            FileMissing,
            TimedOut,
            Crashed,
        ] {
            let symbol = status_symbol(Some(s));
            assert!(status_cell(Some(s)).contains(symbol), "{s:?}");
            assert!(status_words(Some(s)).starts_with(symbol), "{s:?}");
        }
        assert_eq!(status_symbol(Some(NotStarted)), "–");
        assert_eq!(status_words(Some(FileMissing)), "⚠ file missing");
    }
}
