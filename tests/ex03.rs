//! Graded suite for exercise 3 (fetch URLs concurrently).
//!
//! Every test starts an httpmock server on 127.0.0.1 (no internet needed) and
//! calls the student's code with its URLs. Real network I/O cannot run on
//! tokio's paused clock, so these tests use the real clock with wide margins
//! (a correct solution and a wrong one are >= 2x apart on either side of each
//! bound) and run one at a time (`grading::one_at_a_time`) so they do not slow each other
//! down. Each call also gets a deadline inside the runtime, so "still waiting"
//! is reported with a diagnosis; the watchdog only catches a blocked runtime.

use std::fmt::Debug;
use std::future::Future;
use std::panic::{resume_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use ex03::{fetch_statuses, fetch_titles, FetchError};
use futures::FutureExt;
use grading::{check, fail, fmt_duration, real_clock};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::{json, Value};

/// Real time a test may take before the watchdog stops it (a correct test: < 0.3 s).
const WATCHDOG: Duration = Duration::from_secs(2);
const BLOCKED: &str = "The call never returned, and even the test's own deadline could not \
    fire: something blocks the thread that runs your future (`std::thread::sleep`, a \
    blocking HTTP client, a busy loop, `block_on` inside async code?).\n\
    Try: use reqwest's async `Client` and `.await` it; never block inside an `async fn`.";
/// `per_request` in the tests that are not about timeouts: plenty for loopback.
const GENEROUS: Duration = Duration::from_secs(2);
/// How long a call may take before the test gives up on it (>= 5x a correct call,
/// and more than the sequential mistake's 1 s, which the concurrency tests time).
const DEADLINE: Duration = Duration::from_millis(1500);
/// `per_request` in the timeout tests, and how long they wait for an answer.
const SHORT: Duration = Duration::from_millis(100);
const TIMEOUT_DEADLINE: Duration = Duration::from_secs(1);
/// The "slow" endpoint of the timeout tests answers long after every deadline.
const NEVER: Duration = Duration::from_secs(10);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ---------------------------------------------------------------------------
// The test server's endpoints, and URLs that lead nowhere.
// ---------------------------------------------------------------------------

#[derive(Clone)]
enum Reply {
    Empty,
    Json(Value),
    Text(&'static str),
}

/// One endpoint of the mock server: `GET path` answers `status` with `reply` after `delay`.
#[derive(Clone)]
struct Endpoint {
    path: &'static str,
    status: u16,
    reply: Reply,
    delay: Duration,
}

fn get(path: &'static str, status: u16) -> Endpoint {
    Endpoint {
        path,
        status,
        reply: Reply::Empty,
        delay: Duration::ZERO,
    }
}

impl Endpoint {
    fn json(mut self, body: Value) -> Self {
        self.reply = Reply::Json(body);
        self
    }
    fn text(mut self, body: &'static str) -> Self {
        self.reply = Reply::Text(body);
        self
    }
    fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One input URL: an endpoint of the test server, or a URL given as is.
#[derive(Clone)]
enum Target {
    Server(Endpoint),
    Raw { url: String, label: String },
}

impl From<Endpoint> for Target {
    fn from(e: Endpoint) -> Self {
        Target::Server(e)
    }
}

/// A URL on 127.0.0.1 where nothing listens: the connection is refused at once.
fn refused() -> Target {
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

fn invalid(url: &str) -> Target {
    Target::Raw {
        url: url.to_string(),
        label: format!("{url:?} (not a valid URL)"),
    }
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

impl Target {
    fn label(&self) -> String {
        match self {
            Target::Raw { label, .. } => label.clone(),
            Target::Server(e) => {
                let body = match &e.reply {
                    Reply::Empty => String::new(),
                    Reply::Json(v) => format!(", body {}", short(&v.to_string(), 40)),
                    Reply::Text(t) => format!(", body {:?}", short(t, 40)),
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
}

// ---------------------------------------------------------------------------
// Running the student's code against the server.
// ---------------------------------------------------------------------------

enum Outcome<T> {
    Returned(Vec<T>),
    /// The student's code panicked (not a `todo!()`): the message.
    Panicked(String),
    /// The call had not returned when the test's deadline passed.
    StillWaiting,
}

struct Observed<T> {
    what: &'static str,
    targets: Vec<Target>,
    per_request: Duration,
    deadline: Duration,
    outcome: Outcome<T>,
    elapsed: Duration,
    /// GETs the server received per target (`None` for raw URLs).
    calls: Vec<Option<usize>>,
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_string())
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
        for target in &targets {
            match target {
                Target::Raw { url, .. } => {
                    mocks.push(None);
                    urls.push(url.clone());
                }
                Target::Server(e) => {
                    let e = e.clone();
                    let mock = server
                        .mock_async(|when, then| {
                            when.method(GET).path(e.path);
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
            }
        }

        let start = Instant::now();
        let result =
            tokio::time::timeout(deadline, AssertUnwindSafe(call(urls)).catch_unwind()).await;
        let elapsed = start.elapsed();
        let outcome = match result {
            Err(_) => Outcome::StillWaiting,
            Ok(Ok(results)) => Outcome::Returned(results),
            Ok(Err(payload)) => {
                let text = panic_text(payload.as_ref());
                if text.starts_with("not yet implemented") || text.starts_with("not implemented") {
                    // Let the watchdog report "NOT STARTED".
                    resume_unwind(payload);
                }
                Outcome::Panicked(text)
            }
        };

        let mut calls = Vec::new();
        for mock in &mocks {
            calls.push(match mock {
                Some(m) => Some(m.calls_async().await),
                None => None,
            });
        }
        Observed {
            what,
            targets,
            per_request,
            deadline,
            outcome,
            elapsed,
            calls,
        }
    })
}

fn statuses(
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

fn titles(
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

// ---------------------------------------------------------------------------
// Judging what was observed.
// ---------------------------------------------------------------------------

/// What one URL's slot should hold.
#[derive(Debug, Clone)]
enum Want<T> {
    Is(T),
    Timeout,
    Status(u16),
    Network,
    Body,
}

impl<T: Debug> Want<T> {
    fn show(&self) -> String {
        match self {
            Want::Is(v) => format!("Ok({})", short(&format!("{v:?}"), 40)),
            Want::Timeout => "Err(Timeout)".into(),
            Want::Status(c) => format!("Err(Status({c}))"),
            Want::Network => "Err(Network(..))".into(),
            Want::Body => "Err(Body(..))".into(),
        }
    }

    fn accepts(&self, got: &Result<T, FetchError>) -> bool
    where
        T: PartialEq,
    {
        match (self, got) {
            (Want::Is(want), Ok(got)) => want == got,
            (Want::Timeout, Err(FetchError::Timeout)) => true,
            (Want::Status(want), Err(FetchError::Status(got))) => want == got,
            (Want::Network, Err(FetchError::Network(_))) => true,
            (Want::Body, Err(FetchError::Body(_))) => true,
            _ => false,
        }
    }
}

fn show<T: Debug>(r: &Result<T, FetchError>) -> String {
    match r {
        Ok(v) => format!("Ok({})", short(&format!("{v:?}"), 40)),
        Err(FetchError::Network(m)) => format!("Err(Network({:?}))", short(m, 50)),
        Err(FetchError::Body(m)) => format!("Err(Body({:?}))", short(m, 50)),
        Err(e) => format!("Err({e:?})"),
    }
}

/// At most a handful of results, each kept short.
fn show_all<T: Debug>(results: &[Result<T, FetchError>]) -> String {
    const SHOWN: usize = 5;
    let parts: Vec<String> = results.iter().take(SHOWN).map(show).collect();
    let more = if results.len() > SHOWN {
        format!(", … ({} results)", results.len())
    } else {
        String::new()
    };
    format!("[{}{more}]", parts.join(", "))
}

/// A word about proxies, if the environment sets one: reqwest honours them.
fn proxy_note() -> String {
    for var in ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] {
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            return format!(
                "\n(Note: {var} is set in your environment and reqwest sends requests through \
                 it, even to 127.0.0.1; if the reference solution fails too, run the tests with \
                 NO_PROXY=127.0.0.1.)"
            );
        }
    }
    String::new()
}

impl<T: Debug> Observed<T> {
    fn labels(&self) -> Vec<String> {
        self.targets.iter().map(Target::label).collect()
    }

    fn listing(&self) -> String {
        let labels = self.labels();
        let mut text = String::new();
        for (i, l) in labels.iter().enumerate() {
            text.push_str(&format!("\n  {}. {l}", i + 1));
        }
        text
    }

    /// The results, or a failure explaining why there are none.
    fn results(&self) -> &[T] {
        let what = self.what;
        let listing = self.listing();
        match &self.outcome {
            Outcome::Returned(results) => {
                check!(
                    results.len() == self.targets.len(),
                    "{what} returned {} results for {} URLs:{listing}",
                    results.len(),
                    self.targets.len();
                    try = "return exactly one result per URL, in the order of `urls`."
                );
                results
            }
            Outcome::Panicked(message) => {
                let bad = self.targets.iter().any(|t| {
                    matches!(t, Target::Raw { .. })
                        || matches!(t, Target::Server(e) if e.delay >= NEVER)
                });
                if bad {
                    fail!(
                        "{what} panicked on these URLs:{listing}\nPanic: {}\nOne failing URL took \
                         the whole call down: the results of the good URLs were lost too.",
                        short(message, 160);
                        try = "handle each request's error where it happens: turn it into \
                               `Err(FetchError::...)` in that URL's own slot (`match` or `map_err`); \
                               never `unwrap`/`expect` a request."
                    );
                }
                fail!(
                    "{what} panicked on these URLs:{listing}\nPanic: {}",
                    short(message, 160);
                    try = "read the panic location printed above; return errors as values \
                           (`Err(FetchError::...)`) instead of unwrapping them."
                );
            }
            Outcome::StillWaiting => {
                let slow = self.targets.iter().find_map(|t| match t {
                    Target::Server(e) if e.delay >= NEVER => Some(e.path),
                    _ => None,
                });
                let (waited, per) = (fmt_duration(self.deadline), fmt_duration(self.per_request));
                if let Some(path) = slow {
                    fail!(
                        "{what} was still waiting after {waited} with per_request = {per}, for \
                         these URLs:{listing}\nThere is no timeout on the requests (or not \
                         per_request): it waits for {path}, which answers only after {}.",
                        fmt_duration(NEVER);
                        try = "give every request its own time limit: \
                               `client.get(url).timeout(per_request)`, or \
                               `tokio::time::timeout(per_request, request)` around each one."
                    );
                }
                let longest = self
                    .targets
                    .iter()
                    .filter_map(|t| match t {
                        Target::Server(e) => Some(e.delay),
                        Target::Raw { .. } => None,
                    })
                    .max()
                    .unwrap_or_default();
                fail!(
                    "{what} was still waiting after {waited} for these URLs:{listing}\nAll at \
                     once, they are done after {}: your code waits far longer than it should \
                     (requests one after another? something awaited that never completes?).",
                    fmt_duration(longest);
                    try = "build every request future, then await them all together with \
                           `futures::future::join_all`; give each request `.timeout(per_request)`."
                );
            }
        }
    }

    /// Every endpoint of the server got exactly one GET.
    fn check_one_get_each(&self) {
        let what = self.what;
        for (target, calls) in self.targets.iter().zip(&self.calls) {
            let Some(n) = *calls else { continue };
            let label = target.label();
            check!(
                n != 0,
                "{what} never sent a GET to {label}.\nThe test server saw no GET request for \
                 that URL (a request with another method does not count).";
                try = "send one `client.get(url)` per URL, to exactly the URL given."
            );
            check!(
                n == 1,
                "{what} sent {n} GET requests to {label}; expected exactly one per URL.";
                try = "request each URL once: no retries, no second request to read the body."
            );
        }
    }
}

/// Explains why `got` is not `want` for one slot: (what it means, what to try).
fn diagnose<T: Debug>(
    what: &str,
    target: &Target,
    want: &Want<T>,
    got: &Result<T, FetchError>,
) -> (String, String) {
    use FetchError as E;
    let status_of_target = match target {
        Target::Server(e) => Some(e.status),
        Target::Raw { .. } => None,
    };
    match (want, got) {
        (Want::Is(_), Err(E::Status(c))) if what == "fetch_statuses" => (
            format!(
                "A {c} is an answer, not a failure: the server did reply, and its status is \
                 what fetch_statuses reports."
            ),
            "return `Ok(response.status().as_u16())` for every response; don't call \
             `error_for_status()` or check `is_success()` in fetch_statuses."
                .into(),
        ),
        (Want::Is(_), Err(E::Network(_))) => (
            format!("The request to the test server failed.{}", proxy_note()),
            "send a plain GET to exactly the URL given (`client.get(url).send().await`); only \
             real failures are errors."
                .into(),
        ),
        (Want::Is(_), Err(E::Timeout)) => (
            "This endpoint answers well within per_request, yet the request timed out: is \
             your time limit shorter than per_request, or shared by all requests?"
                .into(),
            "give each request `per_request` itself: `.timeout(per_request)` on the request."
                .into(),
        ),
        (Want::Is(_), Err(E::Body(_))) => (
            "The body is a JSON object with a string \"title\", yet it was rejected.".into(),
            "decode the body as JSON (`response.json::<T>()`) and take its string field \"title\"."
                .into(),
        ),
        (Want::Is(_), Ok(_)) if what == "fetch_statuses" && status_of_target != Some(404) => (
            "The test server answers 404 only to requests it does not expect, e.g. with another \
             method or path."
                .into(),
            "send a GET (`client.get(url)`) to exactly the URL given, and report \
             `response.status().as_u16()`."
                .into(),
        ),
        (Want::Is(_), Ok(_)) => (
            "That is not the \"title\" field of the JSON body.".into(),
            "return the body's field \"title\" as it is.".into(),
        ),
        (Want::Timeout, Err(E::Network(_))) => (
            "A request that runs out of time must be reported as Err(FetchError::Timeout), not \
             as a network error."
                .into(),
            "check `e.is_timeout()` before anything else when sorting reqwest's errors (or map \
             tokio's `Elapsed` to `FetchError::Timeout`)."
                .into(),
        ),
        (Want::Network, Err(E::Timeout)) => (
            "This URL fails at once, without waiting: that is a network error, not a timeout."
                .into(),
            "use `FetchError::Timeout` only when `e.is_timeout()`; other request errors are \
             `FetchError::Network(e.to_string())`."
                .into(),
        ),
        (Want::Network, _) => (
            "A refused connection or an invalid URL is Err(FetchError::Network(..)).".into(),
            "map the error of `send()` to `FetchError::Network(e.to_string())` (after checking \
             `e.is_timeout()`)."
                .into(),
        ),
        (Want::Status(c), Ok(_)) | (Want::Status(c), Err(E::Body(_))) => (
            format!(
                "The server answered {c}, and fetch_titles still read the body: a {c} page is \
                 not the JSON object you asked for. Check the status before reading the body."
            ),
            "if `!response.status().is_success()`, return \
             `Err(FetchError::Status(response.status().as_u16()))`."
                .into(),
        ),
        (Want::Body, Ok(_)) => (
            "This body has no string \"title\", so there is no title to return.".into(),
            "deserialize into a struct with a `title: String` field (serde fails when it is \
             missing or not a string) and map that failure to `FetchError::Body`."
                .into(),
        ),
        (Want::Body, Err(E::Network(_))) => (
            "The server answered 200: the conversation worked, but the body is not a JSON \
             object with a string \"title\". That is Err(FetchError::Body(..)), not Network."
                .into(),
            "map decoding failures (`e.is_decode()` for `response.json()`, or serde_json's \
             error) to `FetchError::Body(..)`."
                .into(),
        ),
        _ => (
            String::new(),
            "see the exercise sheet (`cargo doc -p ex03 --open`) for which error is which.".into(),
        ),
    }
}

/// Every slot holds what it should.
fn judge_slots<T: Debug + PartialEq>(obs: &Observed<Result<T, FetchError>>, want: &[Want<T>]) {
    let got = obs.results();
    let what = obs.what;
    let n = got.len();
    let in_order = want.iter().zip(got).all(|(w, g)| w.accepts(g));
    if !in_order && is_permutation(want, got) {
        let wanted: Vec<String> = want.iter().map(Want::show).collect();
        fail!(
            "{what} returned the right results in the wrong order: {}; expected the input \
             order [{}].\nThe URLs, in input order:{}",
            show_all(got),
            wanted.join(", "),
            obs.listing();
            try = "keep one slot per URL in input order: `join_all` does that (a `JoinSet` or \
                   `FuturesUnordered` yields in completion order: carry the index along and \
                   sort by it)."
        );
    }
    for (i, ((w, g), target)) in want.iter().zip(got).zip(&obs.targets).enumerate() {
        if w.accepts(g) {
            continue;
        }
        let (meaning, hint) = diagnose(what, target, w, g);
        let meaning = if meaning.is_empty() {
            String::new()
        } else {
            format!("\n{meaning}")
        };
        fail!(
            "{what}: URL {} of {n}, {}, gave {}; expected {}.{meaning}\nAll results: {}",
            i + 1,
            target.label(),
            show(g),
            w.show(),
            show_all(got);
            try = "{hint}"
        );
    }
}

/// Whether each result matches a different slot's expectation (greedy: enough here).
fn is_permutation<T: Debug + PartialEq>(want: &[Want<T>], got: &[Result<T, FetchError>]) -> bool {
    let mut used = vec![false; want.len()];
    got.iter().all(|g| {
        let free = (0..want.len()).find(|&j| !used[j] && want[j].accepts(g));
        free.map(|j| used[j] = true).is_some()
    })
}

/// Fails if the results came back in completion order (by delay) instead of input order.
fn judge_order<T: Debug + PartialEq>(obs: &Observed<Result<T, FetchError>>, want: &[Want<T>]) {
    let got = obs.results();
    let mut by_delay: Vec<(Duration, &Want<T>)> = obs
        .targets
        .iter()
        .zip(want)
        .map(|(t, w)| match t {
            Target::Server(e) => (e.delay, w),
            Target::Raw { .. } => (Duration::ZERO, w),
        })
        .collect();
    by_delay.sort_by_key(|&(d, _)| d);
    let in_completion_order = by_delay.iter().zip(got).all(|((_, w), g)| w.accepts(g));
    let in_input_order = want.iter().zip(got).all(|(w, g)| w.accepts(g));
    if in_completion_order && !in_input_order {
        let wanted: Vec<String> = want.iter().map(Want::show).collect();
        fail!(
            "{} returned {}, in the order the responses arrived; expected the input order \
             [{}].\nThe URLs, in input order:{}",
            obs.what,
            show_all(got),
            wanted.join(", "),
            obs.listing();
            try = "keep one slot per URL in input order: `join_all` does that (a `JoinSet` or \
                   `FuturesUnordered` yields in completion order: carry the index along and \
                   sort by it)."
        );
    }
}

/// Every URL's request is slower than `delay`; together they must take about `delay`.
fn judge_concurrency<T>(obs: &Observed<T>, delay: Duration) {
    let n = obs.targets.len() as u32;
    let (took, each) = (fmt_duration(obs.elapsed), fmt_duration(delay));
    let bound = delay * 5 / 2;
    if obs.elapsed <= bound {
        return;
    }
    if obs.elapsed >= delay * n * 4 / 5 {
        fail!(
            "{} took {took} for {n} URLs that each answer after {each}: the requests ran one \
             after another, so their delays added up ({n} × {each}), where all at once takes \
             about {each}.",
            obs.what;
            try = "start every request before awaiting any: build one future per URL, then \
                   `futures::future::join_all(futures).await`."
        );
    }
    fail!(
        "{} took {took} for {n} URLs that each answer after {each}; all at once, that takes \
         about {each} (the test allows {}). Some requests waited for others.",
        obs.what,
        fmt_duration(bound);
        try = "run all requests at the same time with `futures::future::join_all` (no \
               limit on how many run at once, no await inside the loop)."
    );
}

/// The timeout tests: the fast URLs answered, the slow one gave up after about `per_request`.
fn judge_timeouts<T: Debug + PartialEq>(obs: &Observed<Result<T, FetchError>>, want: &[Want<T>]) {
    let got = obs.results();
    let what = obs.what;
    let per = fmt_duration(obs.per_request);
    let all_timed_out = got.iter().all(|g| matches!(g, Err(FetchError::Timeout)));
    if all_timed_out && want.iter().any(|w| matches!(w, Want::Is(_))) {
        fail!(
            "{what} returned {}: every URL timed out, even those that answer at once. The \
             time limit covers the whole batch instead of each request, so one slow URL \
             costs the others their results.\nThe URLs:{}",
            show_all(got),
            obs.listing();
            try = "put the timeout on each request (`client.get(url).timeout(per_request)`, \
                   or `tokio::time::timeout(per_request, ...)` around one URL's fetch), not \
                   around `join_all`."
        );
    }
    judge_slots(obs, want);
    let took = fmt_duration(obs.elapsed);
    check!(
        obs.elapsed >= obs.per_request * 9 / 10,
        "{what} gave up on the slow URL after {took}, before per_request = {per} had passed.";
        try = "use `per_request` as the time limit of each request, unchanged."
    );
    check!(
        obs.elapsed <= obs.per_request * 5 / 2,
        "{what} took {took} with per_request = {per}: the slow URL should time out after \
         about {per}, with the other requests running meanwhile.";
        try = "use `per_request` itself as each request's timeout, and run the requests \
               concurrently (`join_all`)."
    );
}

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

#[test]
fn empty_input_gives_empty_output() {
    let _alone = grading::one_at_a_time();
    let obs = statuses(vec![], GENEROUS, DEADLINE);
    let got = obs.results();
    check!(
        got.is_empty(),
        "fetch_statuses(&[], ..) returned {}, expected an empty Vec.",
        show_all(got)
    );
    let obs = titles(vec![], GENEROUS, DEADLINE);
    let got = obs.results();
    check!(
        got.is_empty(),
        "fetch_titles(&[], ..) returned {}, expected an empty Vec.",
        show_all(got)
    );
}

#[test]
fn five_slow_urls_are_fetched_concurrently() {
    let _alone = grading::one_at_a_time();
    const D: Duration = Duration::from_millis(200);
    let paths = ["/posts/1", "/posts/2", "/posts/3", "/posts/4", "/posts/5"];
    let targets = paths.iter().map(|&p| get(p, 200).delay(D).into()).collect();
    let obs = statuses(targets, GENEROUS, DEADLINE);
    judge_slots(
        &obs,
        &[
            Want::Is(200),
            Want::Is(200),
            Want::Is(200),
            Want::Is(200),
            Want::Is(200),
        ],
    );
    obs.check_one_get_each();
    judge_concurrency(&obs, D);
}

#[test]
fn every_status_is_returned_as_is() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/ok", 200).into(),
        get("/missing", 404).text("<h1>Not Found</h1>").into(),
        get("/broken", 500).text("Internal Server Error").into(),
        get("/created", 201).into(),
    ];
    let obs = statuses(targets, GENEROUS, DEADLINE);
    judge_slots(
        &obs,
        &[Want::Is(200), Want::Is(404), Want::Is(500), Want::Is(201)],
    );
    obs.check_one_get_each();
}

#[test]
fn statuses_keep_input_order() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/slow", 201).delay(ms(100)).into(),
        get("/medium", 404).delay(ms(50)).into(),
        get("/fast", 500).into(),
    ];
    let want = [Want::Is(201), Want::Is(404), Want::Is(500)];
    let obs = statuses(targets, GENEROUS, DEADLINE);
    judge_order(&obs, &want);
    judge_slots(&obs, &want);
}

#[test]
fn slow_url_times_out_after_per_request() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/fast", 200).into(),
        get("/slow", 200).delay(NEVER).into(),
        get("/also-fast", 404).into(),
    ];
    let obs = statuses(targets, SHORT, TIMEOUT_DEADLINE);
    judge_timeouts(&obs, &[Want::Is(200), Want::Timeout, Want::Is(404)]);
    obs.check_one_get_each();
}

#[test]
fn refused_connection_fails_only_its_own_slot() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/first", 200).into(),
        refused(),
        get("/third", 404).into(),
    ];
    let obs = statuses(targets, GENEROUS, DEADLINE);
    judge_slots(&obs, &[Want::Is(200), Want::Network, Want::Is(404)]);
    obs.check_one_get_each();
}

#[test]
fn invalid_url_is_a_network_error() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        invalid("not a url"),
        get("/fine", 200).into(),
        invalid("http://"),
    ];
    let obs = statuses(targets, GENEROUS, DEADLINE);
    judge_slots(&obs, &[Want::Network, Want::Is(200), Want::Network]);
    obs.check_one_get_each();
}

#[test]
fn titles_are_read_from_json() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/posts/1", 200)
            .json(json!({"userId": 1, "id": 1, "title": "sunt aut facere", "body": "quia et suscipit"}))
            .into(),
        get("/posts/2", 200).json(json!({"title": "qui est esse", "id": 2})).into(),
        get("/posts/3", 200).json(json!({"title": "", "tags": ["empty", "is fine"]})).into(),
    ];
    let obs = titles(targets, GENEROUS, DEADLINE);
    judge_slots(
        &obs,
        &[
            Want::Is("sunt aut facere".to_string()),
            Want::Is("qui est esse".to_string()),
            Want::Is(String::new()),
        ],
    );
    obs.check_one_get_each();
}

#[test]
fn bad_bodies_are_body_errors() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/good", 200).json(json!({"title": "good"})).into(),
        get("/no-title", 200)
            .json(json!({"id": 2, "name": "no title here"}))
            .into(),
        get("/html", 200)
            .text("<html><body>not JSON</body></html>")
            .into(),
        get("/number", 200).json(json!({"title": 42})).into(),
    ];
    let obs = titles(targets, GENEROUS, DEADLINE);
    judge_slots(
        &obs,
        &[
            Want::Is("good".to_string()),
            Want::Body,
            Want::Body,
            Want::Body,
        ],
    );
    obs.check_one_get_each();
}

#[test]
fn error_statuses_are_status_errors_for_titles() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/deleted", 404)
            .json(json!({"title": "Not Found"}))
            .into(),
        get("/good", 200)
            .json(json!({"title": "still here"}))
            .into(),
        get("/broken", 500).text("Internal Server Error").into(),
        refused(),
    ];
    let obs = titles(targets, GENEROUS, DEADLINE);
    judge_slots(
        &obs,
        &[
            Want::Status(404),
            Want::Is("still here".to_string()),
            Want::Status(500),
            Want::Network,
        ],
    );
    obs.check_one_get_each();
}

#[test]
fn titles_time_out_after_per_request() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/slow", 200)
            .json(json!({"title": "too late"}))
            .delay(NEVER)
            .into(),
        get("/fast", 200).json(json!({"title": "in time"})).into(),
    ];
    let obs = titles(targets, SHORT, TIMEOUT_DEADLINE);
    judge_timeouts(&obs, &[Want::Timeout, Want::Is("in time".to_string())]);
    obs.check_one_get_each();
}

#[test]
fn five_slow_titles_are_fetched_concurrently() {
    let _alone = grading::one_at_a_time();
    const D: Duration = Duration::from_millis(150);
    let posts = [
        (1, "one"),
        (2, "two"),
        (3, "three"),
        (4, "four"),
        (5, "five"),
    ];
    let paths = ["/posts/1", "/posts/2", "/posts/3", "/posts/4", "/posts/5"];
    let targets = posts
        .iter()
        .zip(paths)
        .map(|(&(id, title), path)| {
            get(path, 200)
                .json(json!({"id": id, "title": title}))
                .delay(D)
                .into()
        })
        .collect();
    let want: Vec<Want<String>> = posts
        .iter()
        .map(|&(_, t)| Want::Is(t.to_string()))
        .collect();
    let obs = titles(targets, GENEROUS, DEADLINE);
    judge_slots(&obs, &want);
    obs.check_one_get_each();
    judge_concurrency(&obs, D);
}

#[test]
fn titles_keep_input_order() {
    let _alone = grading::one_at_a_time();
    let targets = vec![
        get("/first", 200)
            .json(json!({"title": "first"}))
            .delay(ms(80))
            .into(),
        get("/second", 200)
            .json(json!({"title": "second"}))
            .delay(ms(40))
            .into(),
        get("/third", 200).json(json!({"title": "third"})).into(),
    ];
    let want = [
        Want::Is("first".to_string()),
        Want::Is("second".to_string()),
        Want::Is("third".to_string()),
    ];
    let obs = titles(targets, GENEROUS, DEADLINE);
    judge_order(&obs, &want);
    judge_slots(&obs, &want);
}
