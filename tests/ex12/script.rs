//! The scripts the tests play: which request arrives when and needs how long,
//! when the shutdown comes, when the channel closes; and what should become
//! of each request. Also the words the messages use for instants and ids.

use std::fmt::Write as _;

use ex12::ShutdownReport;
use grading::{fmt_duration_exact, ms};

/// Slack for tokio's 1 ms timer resolution.
pub const SLACK_MS: u64 = 5;
/// When the test's client closes the channel if the script does not: "the
/// clients leave" after an hour, so a `serve` that ignores the shutdown
/// returns then, with a precise diagnosis, instead of hanging.
pub const CLIENTS_LEAVE_MS: u64 = 3_600_000;
/// When the test stops waiting for `serve` (on the paused clock: costs no
/// real time), so that a `serve` stuck for good gets a precise diagnosis.
pub const GIVE_UP_MS: u64 = 2 * CLIENTS_LEAVE_MS;

/// `5.0 s`, `6.5 s`, `1.234 s`, `500 ms`, `1 h`.
pub fn show(at_ms: u64) -> String {
    match at_ms {
        CLIENTS_LEAVE_MS => "1 h".to_string(),
        GIVE_UP_MS => "2 h".to_string(),
        _ => fmt_duration_exact(ms(at_ms)),
    }
}

/// "request 3", "requests 1 and 2", "requests 1, 2, 3, 4, 5, … (50 in all)".
pub fn who(ids: &[u64]) -> String {
    const SHOWN: usize = 5;
    match ids {
        [] => "no request".to_string(),
        [one] => format!("request {one}"),
        _ if ids.len() > SHOWN => {
            let head: Vec<String> = ids[..SHOWN].iter().map(u64::to_string).collect();
            format!("requests {}, … ({} in all)", head.join(", "), ids.len())
        }
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(u64::to_string).collect();
            format!("requests {} and {last}", rest.join(", "))
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Request {
    pub id: u64,
    /// When the client sends it.
    pub at: u64,
    /// How long its handler runs, once started (then it returns, or panics).
    pub needs: u64,
    /// Whether its handler panics when it is done, instead of returning.
    pub panics: bool,
}

pub fn req(id: u64, at: u64, needs: u64) -> Request {
    Request {
        id,
        at,
        needs,
        panics: false,
    }
}

/// A request whose handler panics `needs` after it started.
pub fn panicking(id: u64, at: u64, needs: u64) -> Request {
    Request {
        panics: true,
        ..req(id, at, needs)
    }
}

#[derive(Clone, Debug)]
pub struct Script {
    pub requests: Vec<Request>,
    /// When the test cancels the token. Requests sent at that very instant
    /// are sent right after it.
    pub shutdown: Option<u64>,
    /// When the client drops its Sender (after any send at that instant);
    /// otherwise it keeps it until [`CLIENTS_LEAVE_MS`].
    pub close: Option<u64>,
    pub grace: u64,
    /// Replaces the list of requests in messages (for long scripts).
    pub summary: Option<&'static str>,
}

/// What should become of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Runs to its end, at this instant.
    Completes(u64),
    /// Still running when the grace period ends: aborted then.
    Abandoned,
    /// Sent after the shutdown: never started.
    NotStarted,
    /// Its handler panics at this instant.
    Panics(u64),
}

impl Script {
    pub fn with_shutdown(requests: Vec<Request>, shutdown: u64, grace: u64) -> Self {
        Script {
            requests,
            shutdown: Some(shutdown),
            close: None,
            grace,
            summary: None,
        }
        .checked()
    }

    pub fn with_close(requests: Vec<Request>, close: u64) -> Self {
        Script {
            requests,
            shutdown: None,
            close: Some(close),
            grace: 1000,
            summary: None,
        }
        .checked()
    }

    /// Keeps the scripts away from instants where the verdict would depend on
    /// which of two simultaneous timers tokio handles first.
    fn checked(self) -> Self {
        if let Some(end) = self.grace_ends() {
            for r in self.requests.iter().filter(|r| Some(r.at) < self.shutdown) {
                let finish = r.at + r.needs;
                assert!(
                    finish.abs_diff(end) >= SLACK_MS && Some(finish) != self.shutdown,
                    "the grader's script is ambiguous at request {}",
                    r.id
                );
                assert!(
                    !r.panics || finish < end,
                    "the grader's script has a panic after the grace period"
                );
            }
        }
        if let Some(close) = self.close {
            assert!(self.requests.iter().all(|r| r.at <= close));
        }
        self
    }

    pub fn grace_ends(&self) -> Option<u64> {
        self.shutdown.map(|s| s + self.grace)
    }

    pub fn fate(&self, r: &Request) -> Fate {
        let finish = r.at + r.needs;
        match self.shutdown {
            Some(s) if r.at >= s => Fate::NotStarted,
            _ if r.panics => Fate::Panics(finish),
            Some(s) if finish > s + self.grace => Fate::Abandoned,
            _ => Fate::Completes(finish),
        }
    }

    /// When `serve` should return.
    pub fn returns_at(&self) -> u64 {
        let last_in_flight = |limit: u64| {
            self.requests
                .iter()
                .filter(|r| self.fate(r) != Fate::NotStarted)
                .map(|r| (r.at + r.needs).min(limit))
                .max()
                .unwrap_or(0)
        };
        match (self.shutdown, self.close) {
            (Some(s), _) => s.max(last_in_flight(s + self.grace)),
            (None, Some(c)) => c.max(last_in_flight(u64::MAX)),
            (None, None) => unreachable!("every script ends with a shutdown or a close"),
        }
    }

    pub fn ids_where(&self, keep: impl Fn(Fate) -> bool) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .requests
            .iter()
            .filter(|r| keep(self.fate(r)))
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    pub fn want(&self) -> ShutdownReport {
        ShutdownReport {
            completed: self.ids_where(|f| matches!(f, Fate::Completes(_))),
            abandoned: self.ids_where(|f| f == Fate::Abandoned),
        }
    }

    /// "shutdown at 5.0 s with 2.0 s of grace".
    pub fn situation(&self) -> String {
        match (self.shutdown, self.close) {
            (Some(s), _) => format!("shutdown at {} with {} of grace", show(s), show(self.grace)),
            (None, Some(c)) => format!("no shutdown, channel closed at {}", show(c)),
            (None, None) => unreachable!("every script ends with a shutdown or a close"),
        }
    }

    /// The whole timeline, for the end of a message.
    pub fn timeline(&self) -> String {
        let mut text = String::from("(The test's timeline: ");
        if let Some(summary) = self.summary {
            text.push_str(summary);
        } else if self.requests.is_empty() {
            text.push_str("no request");
        } else {
            let parts: Vec<String> = self
                .requests
                .iter()
                .map(|r| {
                    let verb = if r.panics { "panics after" } else { "needs" };
                    format!(
                        "request {} arrives at {} and {verb} {}",
                        r.id,
                        show(r.at),
                        show(r.needs)
                    )
                })
                .collect();
            text.push_str(&parts.join("; "));
        }
        let _ = write!(text, "; {}", self.situation());
        if self.close.is_none() {
            text.push_str("; the client keeps its Sender open until 1 h");
        }
        text.push_str(".)");
        text
    }
}
