//! The proof's table, rendered as rows arrive.

use crate::author::verify::{Row, Summary};

/// Column widths, from the longest label and expectation of the plan.
pub struct Table {
    label: usize,
    expected: usize,
}

impl Table {
    /// A table for the planned rows: (exercise, label, expected).
    pub fn new(planned: &[(String, String, String)]) -> Table {
        Table {
            label: planned
                .iter()
                .map(|(_, l, _)| l.len())
                .chain([10])
                .max()
                .unwrap_or(10),
            expected: planned
                .iter()
                .map(|(_, _, e)| e.len())
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
