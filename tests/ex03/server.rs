//! The instrumentation: a mock HTTP server on 127.0.0.1 (httpmock, no
//! internet needed) with the endpoints a test asks for, URLs that lead
//! nowhere, and the observed run of the student's function over them.
//!
//! Real network I/O cannot run on tokio's paused clock, so these tests use
//! the real clock with wide margins (a correct solution and a wrong one are
//! at least 2.5x apart on either side of each bound) and run one at a time
//! (`grading::one_at_a_time`) so they do not slow each other down. Each call
//! also gets a deadline inside the runtime, so "still waiting" is reported
//! with a diagnosis; the watchdog only catches a blocked runtime.

use std::any::Any;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ex03::{fetch_statuses, fetch_titles, FetchError};
use grading::{catch_panic_async, cut, fmt_duration, ms, real_clock, secs};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::Value;

/// Real time a test may take before the watchdog stops it (a correct test:
/// < 0.4 s; the test's own deadline fires at 2 s at most).
const WATCHDOG: Duration = secs(4);
const BLOCKED: &str = "The call never returned, and even the test's own deadline could not \
    fire. Likely causes, most likely first:\n\
    1. a blocking call in async code: a blocking HTTP client (`reqwest::blocking`), \
    `std::thread::sleep`, or `block_on` inside an `async fn`;\n\
    2. an infinite loop or a busy-wait that never awaits.\n\
    Try: use reqwest's async `Client` and `.await` it; never block inside an `async fn`.";
/// `per_request` in the tests that are not about timeouts: plenty for loopback.
pub const GENEROUS: Duration = secs(2);
/// How long a call may take before the test gives up on it (>= 5x a correct call,
/// and more than the sequential mistake's 1.5 s, which the concurrency tests time).
pub const DEADLINE: Duration = secs(2);
/// The same, for calls with nothing to wait for (no URL at all).
pub const QUICK_DEADLINE: Duration = secs(1);
/// `per_request` in the timeout tests: the fast URLs answer well within it,
/// even on a loaded machine. The tests wait for an answer at most
/// `TIMEOUT_DEADLINE`, twice the 2.5 x `SHORT` they accept.
pub const SHORT: Duration = ms(300);
pub const TIMEOUT_DEADLINE: Duration = ms(1500);
/// The "slow" endpoint of the timeout tests answers long after every deadline.
pub const NEVER: Duration = secs(10);

#[derive(Clone)]
pub enum Reply {
    Empty,
    Json(Value),
    Text(&'static str),
}

/// One endpoint of the mock server: `GET path` answers `status` with `reply` after `delay`.
#[derive(Clone)]
pub struct Endpoint {
    pub path: &'static str,
    pub status: u16,
    reply: Reply,
    pub delay: Duration,
}

pub fn get(path: &'static str, status: u16) -> Endpoint {
    Endpoint {
        path,
        status,
        reply: Reply::Empty,
        delay: Duration::ZERO,
    }
}

impl Endpoint {
    pub fn json(mut self, body: Value) -> Self {
        self.reply = Reply::Json(body);
        self
    }
    pub fn text(mut self, body: &'static str) -> Self {
        self.reply = Reply::Text(body);
        self
    }
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One input URL: an endpoint of the test server, or a URL given as is.
#[derive(Clone)]
pub enum Target {
    Server(Endpoint),
    Raw { url: String, label: String },
}

impl From<Endpoint> for Target {
    fn from(e: Endpoint) -> Self {
        Target::Server(e)
    }
}

/// A URL on 127.0.0.1 where nothing listens: the connection is refused at once.
pub fn refused() -> Target {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("the grader could not bind a port on 127.0.0.1");
    let port = listener
        .local_addr()
        .expect("the grader could not read its port")
        .port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/gone");
    Target::Raw {
        label: format!("{url} (nothing listens there: connection refused)"),
        url,
    }
}

pub fn invalid(url: &str) -> Target {
    Target::Raw {
        url: url.to_string(),
        label: format!("{url:?} (not a valid URL)"),
    }
}

impl Target {
    pub fn label(&self) -> String {
        match self {
            Target::Raw { label, .. } => label.clone(),
            Target::Server(e) => {
                let body = match &e.reply {
                    Reply::Empty => String::new(),
                    Reply::Json(v) => format!(", body {}", cut(&v.to_string(), 40)),
                    Reply::Text(t) => format!(", body {:?}", cut(t, 40)),
                };
                let after = if e.delay.is_zero() {
                    String::new()
                } else {
                    format!(" after {}", fmt_duration(e.delay))
                };
                format!("{} (answers {}{after}{body})", e.path, e.status)
            }
        }
    }

    /// How long the server takes to answer (no time for a URL given as is).
    pub fn delay(&self) -> Duration {
        match self {
            Target::Server(e) => e.delay,
            Target::Raw { .. } => Duration::ZERO,
        }
    }
}

pub enum Outcome<T> {
    Returned(Vec<T>),
    /// The student's code panicked: the payload, explained on the test's thread.
    Panicked(Box<dyn Any + Send>),
    /// The call had not returned when the test's deadline passed.
    StillWaiting,
}

pub struct Observed<T> {
    pub what: &'static str,
    pub targets: Vec<Target>,
    pub per_request: Duration,
    pub deadline: Duration,
    pub outcome: Outcome<T>,
    pub elapsed: Duration,
    /// GETs the server received per target (`None` for raw URLs).
    pub calls: Vec<Option<usize>>,
    /// When the server received each target's first GET, since the call
    /// began (`None`: never, or a raw URL).
    pub arrivals: Vec<Option<Duration>>,
}

/// Starts a mock server with `targets`' endpoints, calls `call` with their URLs
/// (in order) and observes what happens, within `deadline` of real time.
fn observe<T, F, Fut>(
    what: &'static str,
    targets: Vec<Target>,
    per_request: Duration,
    deadline: Duration,
    call: F,
) -> Observed<T>
where
    T: Send + 'static,
    F: FnOnce(Vec<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Vec<T>>,
{
    real_clock(WATCHDOG, BLOCKED, move || async move {
        let server = MockServer::start_async().await;
        let mut mocks = Vec::new();
        let mut urls = Vec::new();
        // When each endpoint's first GET arrived, for the picture: noted by
        // a matcher that always agrees (so it changes no answer).
        let arrived: Arc<Mutex<Vec<Option<Instant>>>> =
            Arc::new(Mutex::new(vec![None; targets.len()]));
        for (i, target) in targets.iter().enumerate() {
            let e = match target {
                Target::Raw { url, .. } => {
                    mocks.push(None);
                    urls.push(url.clone());
                    continue;
                }
                Target::Server(e) => e.clone(),
            };
            let note = Arc::clone(&arrived);
            let mock = server
                .mock_async(|when, then| {
                    when.method(GET).path(e.path).is_true(move |req| {
                        let path = req.uri_str().split('?').next().unwrap_or_default();
                        if req.method_str() == "GET" && path.ends_with(e.path) {
                            let mut log = note.lock().unwrap_or_else(PoisonError::into_inner);
                            log[i].get_or_insert_with(Instant::now);
                        }
                        true
                    });
                    let then = then.status(e.status).delay(e.delay);
                    match e.reply {
                        Reply::Empty => {}
                        Reply::Json(v) => {
                            then.header("content-type", "application/json").json_body(v);
                        }
                        Reply::Text(t) => {
                            then.header("content-type", "text/html").body(t);
                        }
                    }
                })
                .await;
            mocks.push(Some(mock));
            urls.push(server.url(e.path));
        }

        let start = Instant::now();
        let result = tokio::time::timeout(deadline, catch_panic_async(call(urls))).await;
        let elapsed = start.elapsed();
        let outcome = match result {
            Err(_) => Outcome::StillWaiting,
            Ok(Ok(results)) => Outcome::Returned(results),
            Ok(Err(payload)) => Outcome::Panicked(payload),
        };

        let mut calls = Vec::new();
        for mock in &mocks {
            calls.push(match mock {
                Some(m) => Some(m.calls_async().await),
                None => None,
            });
        }
        let arrivals = arrived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|t| t.map(|t| t.saturating_duration_since(start)))
            .collect();
        Observed {
            what,
            targets,
            per_request,
            deadline,
            outcome,
            elapsed,
            calls,
            arrivals,
        }
    })
}

/// `fetch_statuses` over `targets`, observed.
pub fn statuses(
    targets: Vec<Target>,
    per_request: Duration,
    deadline: Duration,
) -> Observed<Result<u16, FetchError>> {
    observe(
        "fetch_statuses",
        targets,
        per_request,
        deadline,
        move |urls| async move { fetch_statuses(&urls, per_request).await },
    )
}

/// `fetch_titles` over `targets`, observed.
pub fn titles(
    targets: Vec<Target>,
    per_request: Duration,
    deadline: Duration,
) -> Observed<Result<String, FetchError>> {
    observe(
        "fetch_titles",
        targets,
        per_request,
        deadline,
        move |urls| async move { fetch_titles(&urls, per_request).await },
    )
}
