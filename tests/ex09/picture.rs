//! The pictures under the "how it ran" failures: what the probes saw, on
//! tokio's paused clock, above what a correct solution does with the same
//! inputs.

use std::time::Duration;

use ex09::FIRST_PAGE;
use grading::{record_picture, secs, Clock, Timeline, Track};

use crate::pool::{Cancelled, Users};
use crate::probe::{End, FetchSpans, Lazy, Race, Walk, FETCH_TIME};

/// Results drawn as one mark each, up to this many (more: one mark for the
/// last).
const MARKED: usize = 4;

const SEEN: &str = "what your code did";

fn end_mark(t: Timeline, end: End) -> Timeline {
    match end {
        End::Ended(at) => t.mark("stream ended", at),
        End::Stuck(at) => t.mark("grader gave up", at),
        End::TooMany => t,
    }
}

/// Part 1: marks on the track when the results came out of the stream and
/// how it ended, so that every picture of the race shows them.
pub fn mark_race(track: &Track, got: &[(usize, String, Duration)], end: End) {
    if got.len() <= MARKED {
        for &(i, _, at) in got {
            track.mark(&format!("job {i}'s result out"), at);
        }
    } else if let Some(&(_, _, at)) = got.iter().max_by_key(|&&(_, _, at)| at) {
        track.mark("last result out", at);
    }
    match end {
        End::Ended(at) => track.mark("stream ended", at),
        End::Stuck(at) => track.mark("grader gave up", at),
        End::TooMany => {}
    }
}

/// Part 1: what a correct `as_completed` does with the race's jobs: it
/// starts every job at 0 and yields each result the moment its job is done.
pub fn correct_race(r: &Race) -> Timeline {
    let mut correct = Timeline::new("what a correct as_completed does", Clock::Virtual);
    for (i, &d) in r.delays.iter().enumerate() {
        correct = correct.lane(&format!("job {i}"), &[(Duration::ZERO, d)]);
    }
    let mut order: Vec<usize> = (0..r.delays.len()).collect();
    order.sort_by_key(|&i| (r.delays[i], i));
    let longest = r.delays.iter().copied().max().unwrap_or_default();
    if order.len() <= MARKED {
        for &i in &order {
            correct = correct.mark(&format!("job {i}'s result out"), r.delays[i]);
        }
    } else {
        correct = correct.mark("last result out", longest);
    }
    correct.mark("stream ended", longest)
}

/// Part 1: each job from its start to its end, as the track saw it (marked
/// by [`mark_race`]), above what a correct `as_completed` does.
pub fn record_race(r: &Race) -> String {
    record_picture(&r.track.timeline(SEEN), &correct_race(r))
}

/// The fetches as lanes, one per page (in the order first fetched); a fetch
/// still in flight when the grader looked is drawn as unknown from its start.
fn fetch_lanes(mut t: Timeline, (spans, until): &FetchSpans) -> Timeline {
    let mut pages: Vec<u32> = Vec::new();
    for &(page, _, _) in spans {
        if !pages.contains(&page) {
            pages.push(page);
        }
    }
    for page in pages {
        let fetches: Vec<(Duration, Option<Duration>)> = spans
            .iter()
            .filter(|&&(p, _, _)| p == page)
            .map(|&(_, start, end)| (start, end))
            .collect();
        t = t.lane_partly_seen(&format!("page {page}"), &fetches, *until);
    }
    t
}

/// Part 2: each page's fetch; a correct `paged` fetches the first page, then
/// each page's `next`, one at a time, each when the consumer (who asks
/// without pause) needs it, and stops after the last page or an error.
pub fn record_walk(w: &Walk) -> String {
    let seen = end_mark(
        fetch_lanes(Timeline::new(SEEN, Clock::Virtual), &w.fetch_spans),
        w.end,
    );
    let mut correct = Timeline::new("what a correct paged does", Clock::Virtual);
    let mut page = Some(FIRST_PAGE);
    let mut at = Duration::ZERO;
    // The site's chain of pages (bounded, in case it loops).
    for _ in 0..20 {
        let Some(p) = page else { break };
        correct = correct.lane(&format!("page {p}"), &[(at, at + FETCH_TIME)]);
        at += FETCH_TIME;
        page = w.next_of.get(&p).copied().flatten().flatten();
    }
    record_picture(&seen, &correct.mark("stream ended", at))
}

/// The laziness test: the consumer asks for items 1 to 3 after 10 s, and for
/// item 4 after 10 s more; a correct `paged` fetches page 1 when item 1 is
/// asked for, and page 2 only when item 4 is.
pub fn record_lazy(l: &Lazy) -> String {
    let [first, fourth] = l.asked;
    let seen = fetch_lanes(Timeline::new(SEEN, Clock::Virtual), &l.fetch_spans)
        .mark("item 1 asked for", first)
        .mark("item 4 asked for", fourth);
    let (first, fourth) = (secs(10), secs(10) + FETCH_TIME + secs(10));
    let correct = Timeline::new("what a correct paged does", Clock::Virtual)
        .lane("page 1", &[(first, first + FETCH_TIME)])
        .lane("page 2", &[(fourth, fourth + FETCH_TIME)])
        .mark("item 1 asked for", first)
        .mark("item 4 asked for", fourth);
    record_picture(&seen, &correct)
}

/// Part 3, the cancellation: f (5 s) under a 1 s timeout, the connection
/// checked out, and the next user of the pool; a correct `with_connection`
/// gives the connection back when the timeout drops it.
pub fn record_cancelled(r: &Cancelled) -> String {
    // Given back when the timeout dropped the future; otherwise it was seen
    // still checked out when the next user tried, `again_at`: out until then
    // is measured, not guessed.
    let out_until = if r.after == 0 { r.at } else { r.again_at };
    let waited = if r.again.is_some() && r.after_again == 0 {
        vec![]
    } else {
        vec![(r.at, r.again_at)]
    };
    let seen = Timeline::new(SEEN, Clock::Virtual)
        .lane("f", &[(Duration::ZERO, r.at)])
        .lane("conn 0 out", &[(Duration::ZERO, out_until)])
        .lane("next user", &waited)
        .mark("timeout", secs(1));
    let correct = Timeline::new("what a correct with_connection does", Clock::Virtual)
        .lane("f", &[(Duration::ZERO, secs(1))])
        .lane("conn 0 out", &[(Duration::ZERO, secs(1))])
        .lane("next user", &[])
        .mark("timeout", secs(1));
    record_picture(&seen, &correct)
}

/// Part 3, five users of 1 s on a pool of two: when each user held a
/// connection; correctly, two at a time, in three rounds.
pub fn record_users(r: &Users) -> String {
    let mut seen = Timeline::new(SEEN, Clock::Virtual);
    for (user, &(start, end)) in r.held.iter().enumerate() {
        // A connection not seen to go back is drawn as unknown.
        let spans: Vec<(Duration, Option<Duration>)> =
            start.map(|start| (start, end)).into_iter().collect();
        seen = seen.lane_partly_seen(&format!("user {user}"), &spans, r.at);
    }
    if r.results.is_none() {
        seen = seen.mark("grader gave up", r.at);
    }
    let mut correct = Timeline::new("what a correct with_connection does", Clock::Virtual);
    for user in 0..5u32 {
        let round = secs(u64::from(user / 2));
        correct = correct.lane(&format!("user {user}"), &[(round, round + secs(1))]);
    }
    record_picture(&seen, &correct)
}
