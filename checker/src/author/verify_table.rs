//! The proof's table, rendered as rows arrive.

use std::time::Duration;

use crate::author::verify::{Profile, Row, Summary};
use crate::engine::event::Planned;

/// Column widths, from the longest label and expectation of the plan.
pub struct Table {
    label: usize,
    expected: usize,
}

impl Table {
    /// A table for the planned rows.
    pub fn new(planned: &[Planned]) -> Table {
        Table {
            label: planned
                .iter()
                .map(|p| p.label.len())
                .chain([10])
                .max()
                .unwrap_or(10),
            expected: planned
                .iter()
                .map(|p| p.expected.len())
                .chain([17])
                .max()
                .unwrap_or(17),
        }
    }

    pub fn header(&self) -> String {
        format!(
            "{:<6} {:<lw$} {:<ew$} result\n",
            "exer.",
            "candidate",
            "expected",
            lw = self.label,
            ew = self.expected
        )
    }

    pub fn row(&self, row: &Row) -> String {
        let verdict = if row.ok { "ok  " } else { "MISS" };
        let mut detail = row.detail.lines();
        let first = detail.next().unwrap_or("");
        let reused = if row.reused { " (reused)" } else { "" };
        let mut out = format!(
            "{:<6} {:<lw$} {:<ew$} {verdict} {first}{reused}\n",
            row.exercise,
            row.label,
            row.expected,
            lw = self.label,
            ew = self.expected
        );
        for line in detail {
            out.push_str(&format!("{:>8}{line}\n", ""));
        }
        out
    }
}

/// The closing line.
pub fn summary(summary: &Summary) -> String {
    let misses = summary.rows.iter().filter(|r| !r.ok).count();
    let reused = summary.rows.iter().filter(|r| r.reused).count();
    let reused_note = if reused > 0 {
        format!(", {reused} reused unchanged; `--fresh` checks them again")
    } else {
        String::new()
    };
    if misses == 0 {
        format!(
            "\nverify: all {} checks hold ({:.0} s{reused_note}).\n",
            summary.rows.len(),
            summary.elapsed.as_secs_f64()
        )
    } else {
        format!(
            "\nverify: {misses} of {} checks FAILED ({:.0} s{reused_note}).\n",
            summary.rows.len(),
            summary.elapsed.as_secs_f64()
        )
    }
}

/// Where the time went, when anything was built or run: the cargo calls,
/// the suite runs (the longest named) and when the builds were over.
pub fn profile(summary: &Summary) -> String {
    let Profile {
        builds,
        suites,
        builds_done_at,
        kept,
    } = &summary.profile;
    if builds.is_empty() && suites.is_empty() {
        return String::new();
    }
    let secs = |d: Duration| d.as_secs_f64();
    let build_total: Duration = builds.iter().sum();
    let suite_total: Duration = suites.iter().map(|(_, _, d)| *d).sum();
    let mut longest: Vec<&(String, String, Duration)> = suites.iter().collect();
    longest.sort_by_key(|(_, _, d)| std::cmp::Reverse(*d));
    let longest: Vec<String> = longest
        .iter()
        .take(3)
        .map(|(e, l, d)| format!("{e} {l} {:.1} s", secs(*d)))
        .collect();
    let kept = match kept {
        0 => String::new(),
        1 => " (1 test binary kept from an earlier run)".to_string(),
        n => format!(" ({n} test binaries kept from an earlier run)"),
    };
    let mut out = format!(
        "time: {} cargo build{} {:.0} s (longest {:.0} s){kept}; {} suite runs {:.0} s in all{}",
        builds.len(),
        if builds.len() == 1 { "" } else { "s" },
        secs(build_total),
        secs(builds.iter().max().copied().unwrap_or_default()),
        suites.len(),
        secs(suite_total),
        if longest.is_empty() {
            String::new()
        } else {
            format!(" (longest: {})", longest.join(", "))
        }
    );
    if let (Some(at), false) = (builds_done_at, builds.is_empty()) {
        out.push_str(&format!(
            "; builds over at {:.0} s of {:.0} s",
            secs(*at),
            secs(summary.elapsed)
        ));
    }
    out.push('\n');
    out
}
