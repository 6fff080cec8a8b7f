//! The instrumentation: a small HTTP/1.1 server on 127.0.0.1 (no internet
//! needed) with the endpoints a test asks for, URLs that lead nowhere, and
//! the observed run of the student's function over them.
//!
//! Real network I/O cannot run on tokio's paused clock, so the evidence here
//! needs no waiting for a correct solution:
//! - a *held* endpoint answers only once every held endpoint of the test has
//!   received its request (a rendezvous): a client that sends them all at
//!   once is answered at once, one that awaits an answer before sending the
//!   next request leaves the server waiting, which it notes (a stall) after
//!   [`HOLD`] without a new request, far beyond any scheduling delay. Then it
//!   lets every answer go, so the call still ends;
//! - the order tests let the held answers go in reverse input order, each
//!   only once the client has read the one before (it closes the connection,
//!   as every answer asks it to): results in completion order come out
//!   reversed, every time;
//! - a *silent* endpoint never answers: the timeout tests give the requests
//!   a short `per_request`, and look again with a longer one only when the
//!   first run could have been spoiled by a busy machine (`timeouts`).

use std::any::Any;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ex03::{fetch_statuses, fetch_titles, FetchError};
use grading::{catch_panic_async, cut, ms, real_clock, secs, Cause, Diagnosis};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// Real time a test may take before the watchdog stops it (a correct call
/// takes milliseconds; every wait inside has its own, shorter limit).
const WATCHDOG: Duration = secs(12);
const BLOCKED: &str = "The call never returned, and even the test's own deadline could not \
    fire: something blocks the thread that runs your `async fn`.";
const BLOCKED_ADVICE: &str = "use reqwest's async `Client` and `.await` it; never block inside \
    an `async fn` (no `reqwest::blocking`, `std::thread::sleep`, `block_on`, or a loop that \
    never awaits).";
/// `per_request` in the tests that are not about timeouts: a cap only, never
/// waited for by a correct solution (and longer than [`HOLD`], so a held
/// answer never times out).
pub const GENEROUS: Duration = secs(5);
/// How long the server waits for the next request while it holds answers
/// back before it notes a stall: a client that sent every request at once
/// needs a few milliseconds; this is hundreds of times that, so a busy
/// machine cannot pass for a stall.
pub const HOLD: Duration = secs(2);
/// How long a call may take before the test gives up on it: the stall, then
/// the answers (a correct call takes milliseconds).
pub const DEADLINE: Duration = secs(4);
/// The same, for calls with nothing to wait for (no URL at all).
pub const QUICK_DEADLINE: Duration = secs(1);
/// `per_request` in the timeout tests, first short (the fast URLs answer in
/// about a millisecond), then, only if the first run may have been slowed
/// down by the machine, long enough for any machine.
pub const SHORT: [Duration; 2] = [ms(100), ms(600)];
/// How long a client may take to read an answer and close the connection
/// (it is asked to) before the order tests let the next answer go anyway.
const READ_WAIT: Duration = secs(1);

#[derive(Clone)]
pub enum Reply {
    Empty,
    Json(Value),
    Text(&'static str),
}

/// When an endpoint answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum When {
    /// As soon as its request arrives.
    Now,
    /// Once every held endpoint has its request (or the client stalled).
    Held,
    /// Never: it keeps the connection open until the client gives up.
    Silent,
}

/// One endpoint of the test server: `GET path` answers `status` with `reply`.
#[derive(Clone)]
pub struct Endpoint {
    pub path: &'static str,
    pub status: u16,
    reply: Reply,
    pub when: When,
}

pub fn get(path: &'static str, status: u16) -> Endpoint {
    Endpoint {
        path,
        status,
        reply: Reply::Empty,
        when: When::Now,
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
    pub fn held(mut self) -> Self {
        self.when = When::Held;
        self
    }
    pub fn silent(mut self) -> Self {
        self.when = When::Silent;
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
                match e.when {
                    When::Now => format!("{} (answers {}{body})", e.path, e.status),
                    When::Held => format!(
                        "{} (answers {}{body} once every URL's request has arrived)",
                        e.path, e.status
                    ),
                    When::Silent => format!("{} (never answers)", e.path),
                }
            }
        }
    }

    pub fn when(&self) -> Option<When> {
        match self {
            Target::Server(e) => Some(e.when),
            Target::Raw { .. } => None,
        }
    }
}

/// In which order the held answers go once every request has arrived.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// All at once.
    Together,
    /// The last URL's first, each once the client has read the one before.
    Reversed,
}

/// What the server saw of one endpoint, since the call began.
#[derive(Clone, Default, Debug)]
pub struct Seen {
    /// GET requests received.
    pub gets: usize,
    /// Requests with another method.
    pub others: usize,
    /// When the first GET arrived.
    pub arrived: Option<Duration>,
    /// When its answer was written.
    pub answered: Option<Duration>,
    /// When the client closed that connection (read its answer, or gave up).
    pub closed: Option<Duration>,
}

/// The server held answers back and no new request came for [`HOLD`].
#[derive(Clone, Copy, Debug)]
pub struct Stall {
    /// How many held endpoints had their request by then.
    pub arrived: usize,
    /// When the server noted it (and let the answers go).
    pub at: Duration,
}

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    released: Vec<bool>,
    /// Once set, held endpoints answer at once.
    stall: Option<Stall>,
}

struct Server {
    endpoints: Vec<Option<Endpoint>>,
    start: Instant,
    state: Mutex<State>,
    /// Woken at every arrival, release and close.
    changed: Notify,
}

impl Server {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn note(&self, f: impl FnOnce(&mut State, Duration)) {
        let now = self.now();
        f(&mut self.state(), now);
        self.changed.notify_waiters();
    }

    /// Waits until `ready` holds (checked at every change).
    async fn until(&self, ready: impl Fn(&State) -> bool) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if ready(&self.state()) {
                return;
            }
            changed.await;
        }
    }

    fn held(&self) -> impl Iterator<Item = usize> + '_ {
        let held = |e: &Option<Endpoint>| e.as_ref().is_some_and(|e| e.when == When::Held);
        (0..self.endpoints.len()).filter(move |&i| held(&self.endpoints[i]))
    }

    /// Lets the held answers go: once all have their request, in `order`;
    /// at a stall, all at once.
    async fn release(self: Arc<Self>, order: Release) {
        let held: Vec<usize> = self.held().collect();
        if held.is_empty() {
            return;
        }
        let arrived = |s: &State| held.iter().filter(|&&i| s.seen[i].gets > 0).count();
        loop {
            let before = arrived(&self.state());
            if before == held.len() {
                break;
            }
            let more = self.until(|s| arrived(s) > before);
            if before == 0 {
                // The stall clock runs only once a request is waiting.
                more.await;
            } else if tokio::time::timeout(HOLD, more).await.is_err() {
                self.note(|s, now| {
                    s.stall = Some(Stall {
                        arrived: arrived(s),
                        at: now,
                    });
                });
                return;
            }
        }
        match order {
            Release::Together => self.note(|s, _| held.iter().for_each(|&i| s.released[i] = true)),
            Release::Reversed => {
                for &i in held.iter().rev() {
                    self.note(|s, _| s.released[i] = true);
                    let read = self.until(|s| s.seen[i].closed.is_some() || s.stall.is_some());
                    let _ = tokio::time::timeout(READ_WAIT, read).await;
                }
            }
        }
    }

    async fn connection(self: Arc<Self>, mut stream: TcpStream) {
        let Some(head) = read_head(&mut stream).await else {
            return;
        };
        let mut words = head.split_whitespace();
        let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let path = target.split('?').next().unwrap_or("");
        let found = self
            .endpoints
            .iter()
            .position(|e| e.as_ref().is_some_and(|e| e.path == path));
        let (Some(i), "GET") = (found, method) else {
            if let Some(i) = found {
                self.note(|s, _| s.seen[i].others += 1);
            }
            let _ = stream.write_all(&response(404, &Reply::Empty)).await;
            return;
        };
        let e = self.endpoints[i].clone().expect("found above");
        self.note(|s, now| {
            let seen = &mut s.seen[i];
            seen.gets += 1;
            seen.arrived.get_or_insert(now);
        });
        match e.when {
            When::Now => {}
            When::Held => {
                self.until(|s| s.released[i] || s.stall.is_some()).await;
            }
            When::Silent => {
                // Until the client gives up (or the test ends).
                let mut buf = [0u8; 256];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
                self.note(|s, now| s.seen[i].closed = Some(now));
                return;
            }
        }
        if stream
            .write_all(&response(e.status, &e.reply))
            .await
            .is_err()
        {
            return;
        }
        self.note(|s, now| {
            s.seen[i].answered.get_or_insert(now);
        });
        // The answer asks the client to close the connection once read.
        let mut buf = [0u8; 256];
        let read = async { while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {} };
        let _ = tokio::time::timeout(READ_WAIT, read).await;
        self.note(|s, now| {
            s.seen[i].closed.get_or_insert(now);
        });
    }
}

/// The request line of one request (its headers are read and ignored); `None`
/// if the client closed or sent nonsense.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok().filter(|&n| n > 0)?;
        head.extend_from_slice(&buf[..n]);
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&head);
    Some(text.lines().next().unwrap_or("").to_string())
}

fn response(status: u16, reply: &Reply) -> Vec<u8> {
    let (kind, body) = match reply {
        Reply::Empty => ("text/plain", String::new()),
        Reply::Json(v) => ("application/json", v.to_string()),
        Reply::Text(t) => ("text/html", t.to_string()),
    };
    format!(
        "HTTP/1.1 {status} Answer\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
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
    /// What the server saw per target (`None` for raw URLs).
    pub seen: Vec<Option<Seen>>,
    pub stall: Option<Stall>,
    /// How the held answers were let go.
    pub order: Release,
}

impl<T> Observed<T> {
    /// GETs the server received per target (`None` for raw URLs).
    pub fn calls(&self) -> impl Iterator<Item = Option<usize>> + '_ {
        self.seen.iter().map(|s| s.as_ref().map(|s| s.gets))
    }
}

/// Starts the test server with `targets`' endpoints, calls `call` with their
/// URLs (in order) and observes what happens, within `deadline` of real time.
fn observe<T, F, Fut>(
    what: &'static str,
    targets: Vec<Target>,
    order: Release,
    per_request: Duration,
    deadline: Duration,
    call: F,
) -> Observed<T>
where
    T: Send + 'static,
    F: FnOnce(Vec<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Vec<T>>,
{
    let blocked = Diagnosis::new(BLOCKED)
        .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
        .advice(BLOCKED_ADVICE);
    real_clock(WATCHDOG, blocked, move || async move {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the grader could not listen on 127.0.0.1");
        let addr: SocketAddr = listener
            .local_addr()
            .expect("the grader could not read its port");
        let endpoints: Vec<Option<Endpoint>> = targets
            .iter()
            .map(|t| match t {
                Target::Server(e) => Some(e.clone()),
                Target::Raw { .. } => None,
            })
            .collect();
        let urls = targets
            .iter()
            .map(|t| match t {
                Target::Server(e) => format!("http://{addr}{}", e.path),
                Target::Raw { url, .. } => url.clone(),
            })
            .collect();
        let n = targets.len();
        let server = Arc::new(Server {
            endpoints,
            start: Instant::now(),
            state: Mutex::new(State {
                seen: vec![Seen::default(); n],
                released: vec![false; n],
                stall: None,
            }),
            changed: Notify::new(),
        });
        let accept = {
            let server = Arc::clone(&server);
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(Arc::clone(&server).connection(stream));
                }
            })
        };
        let releasing = tokio::spawn(Arc::clone(&server).release(order));

        let call = catch_panic_async(call(urls));
        tokio::pin!(call);
        let result = tokio::select! {
            ended = &mut call => Some(ended),
            () = tokio::time::sleep(deadline) => None,
        };
        // What the server saw while the call was still there: dropping it
        // closes the connections it held open.
        let elapsed = server.now();
        let state = server.state();
        let seen = targets
            .iter()
            .zip(&state.seen)
            .map(|(t, s)| matches!(t, Target::Server(_)).then(|| s.clone()))
            .collect();
        let stall = state.stall;
        drop(state);
        accept.abort();
        releasing.abort();
        let outcome = match result {
            None => Outcome::StillWaiting,
            Some(Ok(results)) => Outcome::Returned(results),
            Some(Err(payload)) => Outcome::Panicked(payload),
        };
        Observed {
            what,
            targets,
            per_request,
            deadline,
            outcome,
            elapsed,
            seen,
            stall,
            order,
        }
    })
}

/// `fetch_statuses` over `targets`, observed.
pub fn statuses(
    targets: Vec<Target>,
    order: Release,
    per_request: Duration,
    deadline: Duration,
) -> Observed<Result<u16, FetchError>> {
    observe(
        "fetch_statuses",
        targets,
        order,
        per_request,
        deadline,
        move |urls| async move { fetch_statuses(&urls, per_request).await },
    )
}

/// `fetch_titles` over `targets`, observed.
pub fn titles(
    targets: Vec<Target>,
    order: Release,
    per_request: Duration,
    deadline: Duration,
) -> Observed<Result<String, FetchError>> {
    observe(
        "fetch_titles",
        targets,
        order,
        per_request,
        deadline,
        move |urls| async move { fetch_titles(&urls, per_request).await },
    )
}

/// A timeout test's run: first with the short `per_request`; again with the
/// long one only if the first run's outcome could be the machine's doing (a
/// fast URL timed out, the call took more than 2.5 x `per_request`, or it
/// had not returned after 5 x). The run that is judged is returned.
pub fn timeouts<T: Send + 'static>(
    run: impl Fn(Duration, Duration) -> Observed<Result<T, FetchError>>,
) -> Observed<Result<T, FetchError>> {
    let mut obs = run(SHORT[0], SHORT[0] * 5);
    if !obs.timely() {
        obs = run(SHORT[1], SHORT[1] * 5);
    }
    obs
}

impl<T> Observed<Result<T, FetchError>> {
    /// Whether nothing in this run depends on how fast the machine was.
    fn timely(&self) -> bool {
        let Outcome::Returned(results) = &self.outcome else {
            return matches!(self.outcome, Outcome::Panicked(_));
        };
        let fast_timed_out =
            self.targets.iter().zip(results).any(|(t, r)| {
                t.when() != Some(When::Silent) && matches!(r, Err(FetchError::Timeout))
            });
        !fast_timed_out && self.elapsed <= self.per_request * 5 / 2
    }
}
