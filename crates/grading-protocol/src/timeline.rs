//! What ran when, as a picture: lanes of busy spans on one clock, with marks
//! (a deadline, a shutdown), drawn in 80 columns.
//!
//! A concurrency mistake is a shape in time: jobs one after another instead
//! of side by side, a worker's lane full while the other stays empty, gaps
//! where a permit sat unused. The graders observe these shapes; a
//! [`Timeline`] carries one, and [`render_pair`] draws what was observed
//! above what a correct solution does, on the same scale. The picture never
//! replaces the grader's sentence (logs, screen readers): it comes under it.
//!
//! The same `Timeline`, in one serde form, goes from the suite to the page:
//! the suite records it as JSON in its fact (see the crate documentation),
//! the checker keeps it as a `Timeline` in its verdicts, draws it again in
//! the charset of the student's terminal, embeds it as is in its JSON report,
//! and the HTML page draws it from there. Times are whole microseconds in
//! that form (`start_us`, `end_us`, `at_us`): finer than any picture draws,
//! and exact in JSON.

use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Which clock the spans are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// tokio's paused clock: exact, and sleeps cost no real time.
    Virtual,
    /// The wall clock.
    Real,
}

impl Clock {
    fn name(self) -> &'static str {
        match self {
            Clock::Virtual => "tokio's clock",
            Clock::Real => "real time",
        }
    }
}

/// A stretch of time during which a lane was busy.
///
/// A span whose end the grader did not see (`end_seen == false`: the work
/// started at `start`, and `end` is only where the grader stopped looking)
/// is drawn with its own glyph, never as busy, and does not count towards
/// [`Timeline::peak`]: a picture shows only what was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    #[serde(rename = "start_us", with = "micros")]
    pub start: Duration,
    #[serde(rename = "end_us", with = "micros")]
    pub end: Duration,
    pub end_seen: bool,
}

/// One job, worker or task, and when it was busy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lane {
    pub label: String,
    pub spans: Vec<Span>,
}

/// A moment worth marking: a deadline, a shutdown, the end of a grace period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    pub label: String,
    #[serde(rename = "at_us", with = "micros")]
    pub at: Duration,
}

/// What ran when (see the module documentation). Unknown fields are refused:
/// a reader told a form it does not know says so rather than drop a part of
/// the picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    /// What the picture shows: "observed", "a correct solution".
    pub title: String,
    pub clock: Clock,
    pub lanes: Vec<Lane>,
    pub marks: Vec<Mark>,
}

/// The characters a picture is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Block characters, for a UTF-8 terminal.
    Unicode,
    /// Plain ASCII, for anything else.
    Ascii,
}

impl Charset {
    /// Unicode when the locale says UTF-8 (`LC_ALL`, `LC_CTYPE` or `LANG`),
    /// ASCII otherwise. Windows terminals take UTF-8 nowadays, but a log file
    /// may not: there only an explicit UTF-8 locale counts.
    pub fn from_locale() -> Charset {
        let utf8 = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .is_some_and(|v| {
                let v = v.to_ascii_lowercase();
                v.contains("utf-8") || v.contains("utf8")
            });
        if utf8 {
            Charset::Unicode
        } else {
            Charset::Ascii
        }
    }

    /// A busy cell; `alternate` marks every other span of a lane, so that
    /// spans end to end (one job after another) stay told apart.
    fn busy(self, alternate: bool) -> char {
        match (self, alternate) {
            (Charset::Unicode, false) => '█',
            (Charset::Unicode, true) => '▓',
            (Charset::Ascii, false) => '#',
            (Charset::Ascii, true) => '=',
        }
    }

    /// A cell of a span whose end was not seen: started, then unknown.
    fn unseen(self) -> char {
        match self {
            Charset::Unicode => '░',
            Charset::Ascii => '?',
        }
    }

    fn mark(self) -> char {
        match self {
            Charset::Unicode => '│',
            Charset::Ascii => '|',
        }
    }

    /// A level from 0 (none) to 8 (the peak), for density rows.
    fn level(self, level: usize) -> char {
        const BLOCKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        const ASCII: [char; 9] = [' ', '.', ':', '-', '=', '+', '*', '%', '#'];
        match self {
            Charset::Unicode => BLOCKS[level.min(8)],
            Charset::Ascii => ASCII[level.min(8)],
        }
    }
}

/// The total width of a picture: it fits an 80-column terminal.
pub const WIDTH: usize = 80;
/// Columns for a lane's label.
const LABEL: usize = 12;
/// Lanes drawn one per row; more are drawn as one row of how many ran at once.
pub const MAX_LANES: usize = 12;

impl Timeline {
    pub fn new(title: &str, clock: Clock) -> Timeline {
        Timeline {
            title: title.to_string(),
            clock,
            lanes: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// Adds a lane busy during `spans` (start, end).
    pub fn lane(self, label: &str, spans: &[(Duration, Duration)]) -> Timeline {
        let seen: Vec<(Duration, Option<Duration>)> = spans
            .iter()
            .map(|&(start, end)| (start, Some(end)))
            .collect();
        // Every end is seen, so `until` draws nothing.
        self.lane_partly_seen(label, &seen, Duration::ZERO)
    }

    /// Adds one lane per label, each busy during the same `span`: what a
    /// correct solution does when every job runs at once.
    pub fn lanes_alike(self, labels: &[&str], span: (Duration, Duration)) -> Timeline {
        labels.iter().fold(self, |t, label| t.lane(label, &[span]))
    }

    /// Adds a lane whose spans may not all have been seen to end:
    /// `(start, Some(end))` ran from `start` to `end`; `(start, None)`
    /// started at `start` and was not seen to end before `until`, the moment
    /// the grader stopped looking (the function returned, the test ended).
    /// Such a span is drawn as unknown from `start` to `until`, never as busy.
    pub fn lane_partly_seen(
        mut self,
        label: &str,
        spans: &[(Duration, Option<Duration>)],
        until: Duration,
    ) -> Timeline {
        self.lanes.push(Lane {
            label: label.to_string(),
            spans: spans
                .iter()
                .map(|&(start, end)| Span {
                    start,
                    end: end.unwrap_or(until).max(start),
                    end_seen: end.is_some(),
                })
                .collect(),
        });
        self
    }

    /// Whether some span's end was not seen (the picture then has a legend).
    pub fn has_unseen_ends(&self) -> bool {
        self.lanes
            .iter()
            .flat_map(|l| &l.spans)
            .any(|s| !s.end_seen)
    }

    /// Adds numbered lanes, `"{prefix} 1"`, `"{prefix} 2"`, ..., one per
    /// entry of `lanes` (each a lane's spans), then empty ones up to
    /// `at_least`: so a worker that never ran still shows, as an empty lane.
    pub fn numbered<L>(mut self, prefix: &str, at_least: usize, lanes: L) -> Timeline
    where
        L: IntoIterator,
        L::Item: AsRef<[(Duration, Duration)]>,
    {
        let mut n = 0;
        for spans in lanes {
            n += 1;
            self = self.lane(&format!("{prefix} {n}"), spans.as_ref());
        }
        for k in n..at_least {
            self = self.lane(&format!("{prefix} {}", k + 1), &[]);
        }
        self
    }

    /// Adds numbered lanes (see [`Timeline::numbered`]), one per distinct
    /// `key` (a thread, a worker), in the order each key first appears in
    /// `spans`: the grader's probes record (who, start, end), and the picture
    /// needs who did what.
    pub fn numbered_by<K: PartialEq>(
        self,
        prefix: &str,
        at_least: usize,
        spans: impl IntoIterator<Item = (K, Duration, Duration)>,
    ) -> Timeline {
        let mut keys: Vec<K> = Vec::new();
        let mut lanes: Vec<Vec<(Duration, Duration)>> = Vec::new();
        for (key, start, end) in spans {
            match keys.iter().position(|k| *k == key) {
                Some(i) => lanes[i].push((start, end)),
                None => {
                    keys.push(key);
                    lanes.push(vec![(start, end)]);
                }
            }
        }
        self.numbered(prefix, at_least, lanes)
    }

    /// Adds a mark at `at`.
    pub fn mark(mut self, label: &str, at: Duration) -> Timeline {
        self.marks.push(Mark {
            label: label.to_string(),
            at,
        });
        self
    }

    /// The latest moment the picture shows.
    pub fn end(&self) -> Duration {
        let spans = self.lanes.iter().flat_map(|l| &l.spans).map(|s| s.end);
        let marks = self.marks.iter().map(|m| m.at);
        spans.chain(marks).max().unwrap_or_default()
    }

    /// Most lanes busy at the same moment.
    pub fn peak(&self) -> usize {
        let mut edges: Vec<(Duration, i64)> = Vec::new();
        for s in self.lanes.iter().flat_map(|l| &l.spans) {
            if s.end_seen && s.end > s.start {
                edges.push((s.start, 1));
                edges.push((s.end, -1));
            }
        }
        // Ends before starts at the same moment: touching spans do not overlap.
        edges.sort();
        let (mut now, mut peak) = (0i64, 0i64);
        for (_, d) in edges {
            now += d;
            peak = peak.max(now);
        }
        usize::try_from(peak).unwrap_or(0)
    }

    /// The picture on its own scale.
    pub fn render(&self, charset: Charset) -> String {
        render_scaled(self, self.end(), charset)
    }
}

/// What was observed above what a correct solution does, on the same scale.
pub fn render_pair(observed: &Timeline, expected: &Timeline, charset: Charset) -> String {
    let end = observed.end().max(expected.end());
    let mut out = render_scaled(observed, end, charset);
    out.push_str(&render_scaled(expected, end, charset));
    out
}

/// Columns for the bars.
fn bar_width() -> usize {
    WIDTH - LABEL - 3
}

fn render_scaled(t: &Timeline, end: Duration, charset: Charset) -> String {
    let width = bar_width();
    let end = end.max(Duration::from_micros(1));
    // The column a moment falls in.
    let col = |d: Duration| -> usize {
        let c = (d.as_secs_f64() / end.as_secs_f64() * width as f64).floor() as usize;
        c.min(width - 1)
    };
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}):", t.title, t.clock.name());
    let mark_cols: Vec<usize> = t.marks.iter().map(|m| col(m.at)).collect();
    let row = |label: &str, cells: Vec<char>| -> String {
        let mut line = format!("  {:<LABEL$} ", cut(label, LABEL));
        for (i, mut c) in cells.into_iter().enumerate() {
            if c == ' ' && mark_cols.contains(&i) {
                c = charset.mark();
            }
            line.push(c);
        }
        line.trim_end().to_string()
    };
    if t.lanes.len() <= MAX_LANES {
        for lane in &t.lanes {
            let mut cells = vec![' '; width];
            let mut spans: Vec<&Span> = lane.spans.iter().collect();
            spans.sort_by_key(|s| s.start);
            for (k, s) in spans.into_iter().enumerate() {
                let (a, b) = (col(s.start), col(s.end));
                // A span shorter than a column still shows.
                let b = if s.end > s.start && b == a {
                    a
                } else {
                    b.saturating_sub(1).max(a)
                };
                if s.end > s.start {
                    let glyph = if s.end_seen {
                        charset.busy(k % 2 == 1)
                    } else {
                        charset.unseen()
                    };
                    for cell in &mut cells[a..=b] {
                        *cell = glyph;
                    }
                }
            }
            let _ = writeln!(out, "{}", row(&lane.label, cells));
        }
        if t.lanes.is_empty() {
            let _ = writeln!(out, "{}", row("(nothing ran)", vec![' '; width]));
        }
    } else {
        // Too many lanes to draw one by one: how many ran at once, per column.
        let mut counts = vec![0usize; width];
        for s in t.lanes.iter().flat_map(|l| &l.spans) {
            if s.end_seen && s.end > s.start {
                let (a, b) = (col(s.start), col(s.end));
                let b = if b == a {
                    a
                } else {
                    b.saturating_sub(1).max(a)
                };
                for c in &mut counts[a..=b] {
                    *c += 1;
                }
            }
        }
        let top = counts.iter().copied().max().unwrap_or(0).max(1);
        let cells = counts
            .iter()
            .map(|&n| {
                if n == 0 {
                    ' '
                } else {
                    charset.level((n * 8).div_ceil(top).max(1))
                }
            })
            .collect();
        let label = format!("{} at once", t.peak());
        let _ = writeln!(out, "{}", row(&format!("{} lanes", t.lanes.len()), cells));
        let _ = writeln!(out, "  {:<LABEL$} (peak: {label})", "");
    }
    // Each mark's name under its own column: `│ deadline at 3 s` starting
    // there, or ending there when it would run past the right edge.
    for (m, &at) in t.marks.iter().zip(&mark_cols) {
        let right = format!("{} {} at {}", charset.mark(), m.label, fmt(m.at));
        let left = format!("{} at {} {}", m.label, fmt(m.at), charset.mark());
        let text = if at + right.chars().count() <= width || left.chars().count() > at + 1 {
            format!("{:at$}{right}", "")
        } else {
            format!("{:w$}{left}", "", w = at + 1 - left.chars().count())
        };
        let _ = writeln!(out, "  {:<LABEL$} {}", "", text.trim_end());
    }
    let _ = writeln!(out, "{}", axis(end, width));
    if t.has_unseen_ends() {
        let _ = writeln!(
            out,
            "  {:<LABEL$} {} started, but not seen to end (not counted as running)",
            "",
            charset.unseen()
        );
    }
    out
}

/// Round values along the time axis (steps of 1, 2 or 5 times a power of
/// ten), each written where it falls.
fn axis(end: Duration, width: usize) -> String {
    let mut line = vec![' '; width];
    let mut put = |at: usize, text: &str| {
        let at = at.min(width.saturating_sub(text.len()));
        // Never over an earlier label.
        if line[at.saturating_sub(1)..(at + text.len()).min(width)]
            .iter()
            .any(|c| *c != ' ')
        {
            return;
        }
        for (i, c) in text.chars().enumerate() {
            if let Some(cell) = line.get_mut(at + i) {
                *cell = c;
            }
        }
    };
    put(0, "0");
    let step = nice_step(end.as_secs_f64() / 4.0);
    let mut k = 1.0;
    while step > 0.0 && k * step <= end.as_secs_f64() * 1.0001 {
        let at_secs = k * step;
        let at = (at_secs / end.as_secs_f64() * width as f64).floor() as usize;
        let text = fmt(Duration::from_secs_f64(at_secs));
        // The label ends at its moment's column.
        put((at + 1).saturating_sub(text.len()), &text);
        k += 1.0;
    }
    let text: String = line.into_iter().collect();
    format!("  {:<LABEL$} {}", "", text.trim_end())
}

/// The smallest of 1, 2, 5 times a power of ten that is at least `rough`.
fn nice_step(rough: f64) -> f64 {
    if rough <= 0.0 || !rough.is_finite() {
        return 0.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= rough * 0.999)
        .unwrap_or(10.0 * power)
}

/// `250 ms`, `3 s`, `2.5 s`.
pub fn fmt(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        let s = d.as_secs_f64();
        if (s - s.round()).abs() < 1e-9 {
            format!("{s:.0} s")
        } else {
            format!("{s:.1} s")
        }
    } else if d >= Duration::from_millis(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} µs", d.as_micros())
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let head: String = text.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

/// A `Duration` as whole microseconds (the serde form of every time in a
/// timeline).
mod micros {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn one_after_another() -> Timeline {
        Timeline::new("observed", Clock::Virtual)
            .lane("job 0", &[(s(0), s(1))])
            .lane("job 1", &[(s(1), s(2))])
            .lane("job 2", &[(s(2), s(3))])
            .mark("deadline", s(2))
    }

    fn back(t: &Timeline) -> Option<Timeline> {
        serde_json::from_str(&serde_json::to_string(t).unwrap()).ok()
    }

    #[test]
    fn a_timeline_reads_back_exactly() {
        let t = one_after_another().lane("a|b:c,d%\t\n", &[]);
        assert_eq!(back(&t), Some(t.clone()));
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains(['\t', '\n']), "{json}");
        assert!(
            json.contains(r#""clock":"virtual""#)
                && json.contains(r#"{"start_us":1000000,"end_us":2000000,"end_seen":true}"#)
                && json.contains(r#"{"label":"deadline","at_us":2000000}"#),
            "{json}"
        );
        let unknown = json.replacen(r#""end_seen":true"#, r#""end_seen":true,"colour":1"#, 1);
        assert!(serde_json::from_str::<Timeline>(&unknown).is_err());
        assert!(serde_json::from_str::<Timeline>("garbage").is_err());
    }

    #[test]
    fn jobs_one_after_another_show_as_a_staircase() {
        let observed = one_after_another();
        let expected = Timeline::new("a correct solution", Clock::Virtual)
            .lane("job 0", &[(s(0), s(1))])
            .lane("job 1", &[(s(0), s(1))])
            .lane("job 2", &[(s(0), s(1))]);
        let text = render_pair(&observed, &expected, Charset::Ascii);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "observed (tokio's clock):");
        let bar = |line: &str| line[2 + LABEL + 1..].to_string();
        let first = bar(lines[1]);
        let third = bar(lines[3]);
        assert!(first.starts_with("#####"), "{text}");
        assert!(
            third.trim_start().starts_with('#') && third.starts_with(' '),
            "{text}"
        );
        assert!(
            lines.iter().any(|l| l.contains("| deadline at 2 s")),
            "{text}"
        );
        for line in &lines {
            assert!(line.chars().count() <= WIDTH, "too wide: {line:?}");
        }
        assert_eq!(observed.peak(), 1);
        assert_eq!(expected.peak(), 3);
    }

    #[test]
    fn many_lanes_become_one_row_of_how_many_ran_at_once() {
        let mut t = Timeline::new("observed", Clock::Virtual);
        for i in 0..10_000 {
            t = t.lane(&format!("task {i}"), &[(Duration::ZERO, s(1 + i % 5))]);
        }
        let text = t.render(Charset::Unicode);
        assert!(text.contains("10000 lanes"), "{text}");
        assert!(text.contains("peak: 10000 at once"), "{text}");
        assert!(text.lines().count() <= 6, "{text}");
        assert!(text.contains('█'), "{text}");
    }

    #[test]
    fn numbered_lanes_follow_first_appearance_and_pad_to_a_minimum() {
        let t = Timeline::new("t", Clock::Real).numbered_by(
            "worker",
            3,
            [("b", s(0), s(1)), ("a", s(1), s(2)), ("b", s(2), s(3))],
        );
        let labels: Vec<&str> = t.lanes.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["worker 1", "worker 2", "worker 3"]);
        assert_eq!(t.lanes[0].spans.len(), 2, "worker 1 is b, seen first");
        assert_eq!(
            t.lanes[1].spans,
            [Span {
                start: s(1),
                end: s(2),
                end_seen: true,
            }]
        );
        assert!(t.lanes[2].spans.is_empty());
        let more =
            Timeline::new("t", Clock::Real).numbered("thread", 1, [[(s(0), s(1))], [(s(1), s(2))]]);
        assert_eq!(more.lanes.len(), 2, "never fewer lanes than given");
    }

    #[test]
    fn a_short_span_still_shows() {
        let t = Timeline::new("observed", Clock::Real)
            .lane("long", &[(Duration::ZERO, s(10))])
            .lane("blip", &[(s(5), s(5) + Duration::from_millis(1))]);
        let text = t.render(Charset::Ascii);
        let blip = text.lines().find(|l| l.contains("blip")).unwrap();
        assert!(blip.contains('#'), "{text}");
    }

    #[test]
    fn an_end_not_seen_is_drawn_as_unknown_and_never_counted_as_running() {
        let t = Timeline::new("observed", Clock::Virtual)
            .lane("op 0", &[(Duration::ZERO, s(1))])
            .lane_partly_seen("op 1", &[(Duration::ZERO, None)], s(3));
        assert_eq!(t.peak(), 1, "an unseen end is not running");
        assert!(t.has_unseen_ends());
        let text = t.render(Charset::Ascii);
        let op1 = text.lines().find(|l| l.contains("op 1")).unwrap();
        assert!(op1.contains('?') && !op1.contains('#'), "{text}");
        assert!(text.contains("not seen to end"), "{text}");
        let back = back(&t).unwrap();
        assert_eq!(back, t);
        assert!(!back.lanes[1].spans[0].end_seen);
    }
}
