//! The small tests' side of a connection: a scripted client that reads line
//! by line, every read with a time limit, and the failures it reports.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use grading::{cut, fmt_duration, Cause, Clock, Diagnosis, Timeline};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a client waits for one answer. A correct server needs one
/// `DB_DELAY` (100 ms).
pub const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// A failure seen while the student's code ran: reported by the test's
/// thread, so it is not mistaken for a panic in the student's code.
pub struct Problem {
    pub observed: String,
    pub hint: String,
    /// What ran when, and what a correct server does: drawn under the
    /// sentence, and recorded by [`Problem::fail`] on the test's own thread.
    pub timelines: Option<Box<(Timeline, Timeline)>>,
    /// The cause the evidence proves, if any.
    pub cause: Option<Cause>,
    /// Or the likely causes, most likely first.
    pub candidates: Vec<Cause>,
}

pub fn problem(observed: impl Into<String>, hint: impl Into<String>) -> Problem {
    Problem {
        observed: observed.into(),
        hint: hint.into(),
        timelines: None,
        cause: None,
        candidates: Vec::new(),
    }
}

impl Problem {
    /// The same problem, with the picture of how it ran.
    pub fn with_picture(self, seen: Timeline, correct: Timeline) -> Problem {
        Problem {
            timelines: Some(Box::new((seen, correct))),
            ..self
        }
    }

    /// The same problem, with the cause the evidence proves.
    pub fn cause(self, cause: Cause) -> Problem {
        Problem {
            cause: Some(cause),
            candidates: Vec::new(),
            ..self
        }
    }

    /// The same problem, with the likely causes, most likely first.
    pub fn candidates(self, causes: impl IntoIterator<Item = Cause>) -> Problem {
        Problem {
            cause: None,
            candidates: causes.into_iter().collect(),
            ..self
        }
    }

    /// The diagnosis, with its picture (recorded only when it fails: fail
    /// it on the test's own thread).
    pub fn diagnosis(&self) -> Diagnosis {
        let mut diagnosis = Diagnosis::new(&self.observed).advice(&self.hint);
        if let Some(pair) = &self.timelines {
            diagnosis = diagnosis.picture(pair.0.clone(), pair.1.clone());
        }
        match self.cause {
            Some(cause) => diagnosis.cause(cause),
            None if !self.candidates.is_empty() => diagnosis.candidates(self.candidates.clone()),
            None => diagnosis,
        }
    }

    pub fn fail(self) -> ! {
        self.diagnosis().fail()
    }
}

/// The titles of the two pictures.
pub const SEEN: &str = "what your server did";
pub const CORRECT: &str = "what a correct server does";

/// A timeline on the real clock, from `origin`: one lane per
/// `(label, spans)`, each span `(from, to)`.
pub fn timeline(title: &str, origin: Instant, lanes: &[(&str, &[(Instant, Instant)])]) -> Timeline {
    let at = |t: Instant| t.saturating_duration_since(origin);
    lanes
        .iter()
        .fold(Timeline::new(title, Clock::Real), |t, (label, spans)| {
            let spans: Vec<_> = spans.iter().map(|&(a, b)| (at(a), at(b))).collect();
            t.lane(label, &spans)
        })
}

/// A line as the messages quote it: `SQUARE 12` or `ERR no number`, escaped.
pub fn quote(line: &str) -> String {
    format!("`{}`", cut(&line.escape_debug().to_string(), 60))
}

pub struct Client {
    stream: TcpStream,
    /// Bytes read but not yet handed out as a line.
    pending: Vec<u8>,
    /// When the read that completed each line handed out so far returned
    /// (for the pictures).
    pub arrivals: Vec<Instant>,
    last_read: Instant,
}

/// Why no line came.
pub enum Gone {
    /// The server closed the connection; `partial` is what came before.
    Closed {
        partial: String,
    },
    /// Nothing (or no complete line) within the wait.
    Silent {
        partial: String,
        waited: Duration,
    },
    Failed(io::Error),
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Result<Client, Problem> {
        match tokio::time::timeout(ANSWER_WAIT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => Ok(Client {
                stream,
                pending: Vec::new(),
                arrivals: Vec::new(),
                last_read: Instant::now(),
            }),
            Ok(Err(e)) => Err(problem(
                format!("a client could not connect to the listener given to `serve`: {e}."),
                "keep the listener open and accept connections until `shutdown` completes.",
            )),
            Err(_) => Err(problem(
                format!(
                    "a client could not connect within {}.",
                    fmt_duration(ANSWER_WAIT)
                ),
                "keep accepting connections until `shutdown` completes.",
            )),
        }
    }

    pub async fn send(&mut self, text: &str) -> Result<(), Problem> {
        self.stream.write_all(text.as_bytes()).await.map_err(|e| {
            problem(
                format!(
                    "sending {} failed: {e} (the server closed the connection?).",
                    quote(text)
                ),
                "keep each connection open until the client closes it.",
            )
        })
    }

    /// The next line, without its `\n`.
    pub async fn line(&mut self, wait: Duration) -> Result<String, Gone> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                // A line is completed by the latest read: `line` reads only
                // when no complete line is pending.
                self.arrivals.push(self.last_read);
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Ok(String::from_utf8_lossy(&line[..end]).into_owned());
            }
            let partial = String::from_utf8_lossy(&self.pending).into_owned();
            let mut buf = [0u8; 512];
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Ok(Ok(0)) => return Err(Gone::Closed { partial }),
                Ok(Ok(n)) => {
                    self.last_read = Instant::now();
                    self.pending.extend_from_slice(&buf[..n]);
                }
                Ok(Err(e)) => return Err(Gone::Failed(e)),
                Err(_) => {
                    return Err(Gone::Silent {
                        partial,
                        waited: wait,
                    })
                }
            }
        }
    }

    /// Up to `n` lines, each within `wait` of the one before, and why the
    /// next one did not come if fewer came.
    pub async fn lines(&mut self, n: usize, wait: Duration) -> (Vec<String>, Option<Gone>) {
        let mut got = Vec::new();
        while got.len() < n {
            match self.line(wait).await {
                Ok(line) => got.push(line),
                Err(gone) => return (got, Some(gone)),
            }
        }
        (got, None)
    }

    /// The answer to `request`, or the failure a test reports by default.
    pub async fn answer(&mut self, request: &str, wait: Duration) -> Result<String, Problem> {
        self.line(wait).await.map_err(|gone| gone.problem(request))
    }
}

/// Whether a correct server takes `line` for a request (`SQUARE` and one
/// whole number that fits in an i64), answered after DB_DELAY; any other
/// line it answers at once with `ERR`.
fn is_valid_request(line: &str) -> bool {
    matches!(
        line.split_whitespace().collect::<Vec<_>>()[..],
        ["SQUARE", number] if number.parse::<i64>().is_ok()
    )
}

impl Gone {
    pub fn problem(self, line: &str) -> Problem {
        let request = quote(line);
        match self {
            Gone::Closed { partial } if partial.is_empty() => problem(
                format!("the server closed the connection without answering {request}."),
                "answer every line and keep the connection open until the client closes it. \
                 If a task panicked, its panic is printed above the test's name.",
            ),
            Gone::Closed { partial } | Gone::Silent { partial, .. } if !partial.is_empty() => {
                problem(
                    format!(
                        "the answer to {request} came without its end of line: got {}.",
                        quote(&partial)
                    ),
                    "end every answer with `\\n`: `format!(\"{}\\n\", ...)`.",
                )
            }
            Gone::Silent { waited, .. } => problem(
                format!(
                    "{} got no answer within {} (a correct server answers {}).",
                    quote(line),
                    fmt_duration(waited),
                    if is_valid_request(line) {
                        "after DB_DELAY, 100 ms"
                    } else {
                        "a bad line at once"
                    }
                ),
                "read the connection line by line (`BufReader::new(reader).lines()`, \
                 `next_line().await`) and write each answer right away with `write_all` (an \
                 answer written into a `BufWriter` stays there until you `flush()` it).",
            )
            .candidates([Cause::NotFlushed, Cause::BlockingInAsync, Cause::BusyLoop]),
            Gone::Failed(e) => problem(
                format!("reading the answer to {request} failed: {e}."),
                "keep the connection open until the client closes it.",
            ),
            Gone::Closed { .. } => unreachable!("handled above"),
        }
    }
}

/// Checks one answer against the expected one.
pub fn expect_answer(request: &str, got: &str, want: &str, hint: &str) -> Result<(), Problem> {
    if got == want {
        return Ok(());
    }
    Err(problem(
        format!(
            "{} got the answer {}, expected {}.",
            quote(request),
            quote(got),
            quote(want)
        ),
        hint,
    ))
}
