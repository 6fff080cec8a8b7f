//! Graded suite for exercise 13 (capstone: 10 000 clients at once).
//!
//! Real sockets on 127.0.0.1 and the real clock (the paused clock cannot drive
//! network I/O). Three kinds of tests:
//!
//! - `parse_request` on its own: plain function calls.
//! - Small functional tests: `serve` runs on this process's runtime, polled
//!   together with a scripted client, so a panic in `serve` (a `todo!()`) is
//!   reported as the student's. Every read has a time limit well above what a
//!   correct server needs (one [`DB_DELAY`]).
//! - The load test: the provided server program (`src/bin/server.rs`) runs in
//!   a child process, which is this test binary started again with
//!   [`CHILD_ENV`] set (so the child always runs the same student code as the
//!   suite, even when the checker copies the binary away). 10 000 clients
//!   connect (never more than half the listen backlog ahead of what the
//!   server has accepted, so the backlog never overflows: every so often a
//!   client sends a bad line at once, and its `ERR` answer shows how far the
//!   server has got), all stay connected, all send one request, all read
//!   their answer, on plain blocking sockets on one thread. The evidence is structural: how
//!   many threads the server process runs and its peak memory, read from
//!   `/proc/<pid>/status` (Linux); and whether the answers came at all within
//!   [`ANSWER_PATIENCE`], 50 x `DB_DELAY` (a concurrent server needs about
//!   one `DB_DELAY` plus overhead, a server that blocks or serves one
//!   connection at a time needs minutes). The clients close by reset (no
//!   `TIME_WAIT` piles up when the suite runs again and again).
//!
//! The load test and the shutdown test run alone (they hold [`GATE`] for
//! writing); the other small tests share it.

use std::future::Future;
use std::io::{self, BufRead, BufReader as StdBufReader, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use ex13::{parse_request, serve, DB_DELAY};
use grading::{check, cores, fail, fmt_duration, real_clock, student_panic_message, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// The provided server program, compiled into this suite: the load test's
/// child process runs it.
#[path = "../exercises/ex13-10k-requests/src/bin/server.rs"]
mod server_program;

/// Real time a small test may take before the watchdog stops it. Every wait
/// inside has its own, shorter limit; the watchdog only catches a `serve`
/// that blocks the thread polling it.
const WATCHDOG: Duration = Duration::from_secs(6);
const HUNG: &str = "The test's client and your `serve` run on the same thread, and that \
    thread stopped: something inside `serve` blocks (a `std::net` socket, `std::thread::sleep`, \
    a blocking read) instead of awaiting.\n\
    Try: in async code use tokio's versions: `listener.accept().await`, `tokio::time::sleep`, \
    and the reads and writes of `tokio::net::TcpStream`.";
/// How long a client waits for one answer. A correct server needs one
/// `DB_DELAY` (100 ms).
const ANSWER_WAIT: Duration = Duration::from_secs(2);
/// How long the second client waits while the first stays connected.
const SECOND_CLIENT_WAIT: Duration = Duration::from_secs(1);
/// How long `serve` may take to return once `shutdown` has completed.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(1);

/// The load test runs alone; the small tests may run together.
static GATE: RwLock<()> = RwLock::new(());

// ---------------------------------------------------------------------------
// Failures, judged on the test's own thread.

/// A failure seen while the student's code ran: reported by the test's
/// thread, so it is not mistaken for a panic in the student's code.
struct Problem {
    observed: String,
    hint: String,
}

fn problem(observed: impl Into<String>, hint: impl Into<String>) -> Problem {
    Problem {
        observed: observed.into(),
        hint: hint.into(),
    }
}

impl Problem {
    fn fail(self) -> ! {
        fail!("{}", self.observed; try = "{}", self.hint)
    }
}

/// Text cut short for a message.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…")
}

/// A line as the messages quote it: `SQUARE 12` or `ERR no number`, escaped.
fn quote(line: &str) -> String {
    format!("`{}`", cut(&line.escape_debug().to_string(), 60))
}

// ---------------------------------------------------------------------------
// parse_request.

#[test]
fn parse_request_reads_square_requests() {
    let cases: [(&str, i64); 6] = [
        ("SQUARE 12", 12),
        ("SQUARE 0", 0),
        ("SQUARE -3", -3),
        ("SQUARE 3037000500", 3_037_000_500),
        ("SQUARE 9223372036854775807", i64::MAX),
        ("SQUARE -9223372036854775808", i64::MIN),
    ];
    let got = within(WATCHDOG, "parse_request did not return.", move || {
        cases
            .iter()
            .map(|&(line, _)| parse_request(line))
            .collect::<Vec<_>>()
    });
    for ((line, want), got) in cases.iter().zip(got) {
        check!(
            got.as_ref() == Ok(want),
            "parse_request({line:?}) returned {got:?}, expected Ok({want}).";
            try = "split the line into words (`split_whitespace`): the first must be `SQUARE`, \
                   the second parses as an i64 (`word.parse::<i64>()`)."
        );
    }
}

#[test]
fn parse_request_rejects_bad_lines() {
    let lines = [
        "",
        "HELLO",
        "SQUARE",
        "SQUARE twelve",
        "SQUARE 1.5",
        "SQUARE 1 2",
        "CUBE 3",
        "SQUARE 9223372036854775808",
    ];
    let got = within(WATCHDOG, "parse_request did not return.", move || {
        lines
            .iter()
            .map(|line| parse_request(line))
            .collect::<Vec<_>>()
    });
    for (line, got) in lines.iter().zip(got) {
        match got {
            Ok(n) => fail!(
                "parse_request({line:?}) returned Ok({n}), expected an Err with the reason: \
                 only `SQUARE` followed by exactly one whole number (an i64) is a request.";
                try = "check every part: the command word, that there is one number, no more, \
                       and that it parses as an i64."
            ),
            Err(reason) => check!(
                !reason.trim().is_empty() && !reason.contains('\n'),
                "parse_request({line:?}) returned Err({reason:?}): the reason goes into the \
                 one-line answer `ERR <reason>`, so it must be a non-empty single line.";
                try = "say briefly what is wrong, e.g. \"unknown command: HELLO\"."
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// A scripted client, line by line, every read with a time limit.

struct Client {
    stream: TcpStream,
    /// Bytes read but not yet handed out as a line.
    pending: Vec<u8>,
}

/// Why no line came.
enum Gone {
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
    async fn connect(addr: SocketAddr) -> Result<Client, Problem> {
        match tokio::time::timeout(ANSWER_WAIT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => Ok(Client {
                stream,
                pending: Vec::new(),
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

    async fn send(&mut self, text: &str) -> Result<(), Problem> {
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
    async fn line(&mut self, wait: Duration) -> Result<String, Gone> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Ok(String::from_utf8_lossy(&line[..end]).into_owned());
            }
            let partial = String::from_utf8_lossy(&self.pending).into_owned();
            let mut buf = [0u8; 512];
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Ok(Ok(0)) => return Err(Gone::Closed { partial }),
                Ok(Ok(n)) => self.pending.extend_from_slice(&buf[..n]),
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

    /// The answer to `request`, or the failure a test reports by default.
    async fn answer(&mut self, request: &str, wait: Duration) -> Result<String, Problem> {
        self.line(wait).await.map_err(|gone| gone.problem(request))
    }
}

impl Gone {
    fn problem(self, request: &str) -> Problem {
        let request = quote(request);
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
                    "{request} got no answer within {} (a correct server answers after DB_DELAY, \
                     100 ms).",
                    fmt_duration(waited)
                ),
                "read the connection line by line (`BufReader::new(reader).lines()`, \
                 `next_line().await`) and write each answer with `write_all` right away.",
            ),
            Gone::Failed(e) => problem(
                format!("reading the answer to {request} failed: {e}."),
                "keep the connection open until the client closes it.",
            ),
            Gone::Closed { .. } => unreachable!("handled above"),
        }
    }
}

/// Checks one answer against the expected one.
fn expect_answer(request: &str, got: &str, want: &str, hint: &str) -> Result<(), Problem> {
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

// ---------------------------------------------------------------------------
// `serve` in this process.

fn bind_error(e: io::Error) -> Problem {
    problem(
        format!("the grader could not listen on 127.0.0.1: {e}."),
        "this is the machine, not your code: run the tests again.",
    )
}

fn served_too_short(ended: io::Result<()>) -> Problem {
    let how = match ended {
        Ok(()) => "Ok(())".to_string(),
        Err(e) => format!("Err({})", cut(&e.to_string(), 80)),
    };
    problem(
        format!(
            "`serve` returned {how} while a client was still talking to it, before `shutdown` \
             completed."
        ),
        "loop over `listener.accept()` until `shutdown` completes, and let each connection's \
         task deal with that connection's errors.",
    )
}

/// Runs `serve` on a fresh listener, polled together with `script(addr)`,
/// on the real clock under the watchdog. `shutdown` never completes.
#[track_caller]
fn with_server<T, S, Fut>(script: S) -> T
where
    T: Send + 'static,
    S: FnOnce(SocketAddr) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, Problem>>,
{
    let _shared = GATE.read().unwrap_or_else(PoisonError::into_inner);
    let outcome = real_clock(WATCHDOG, HUNG, move || async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (_keep_serving, stop) = oneshot::channel::<()>();
        let server = serve(listener, async move {
            let _ = stop.await;
        });
        tokio::pin!(server);
        tokio::select! {
            biased;
            ended = &mut server => Err(served_too_short(ended)),
            outcome = script(addr) => outcome,
        }
    });
    outcome.unwrap_or_else(|p| p.fail())
}

#[test]
fn one_client_gets_its_answer() {
    with_server(|addr| async move {
        let mut client = Client::connect(addr).await?;
        let sent = Instant::now();
        client.send("SQUARE 12\n").await?;
        let got = client.answer("SQUARE 12", ANSWER_WAIT).await?;
        let took = sent.elapsed();
        expect_answer(
            "SQUARE 12",
            &got,
            "144",
            "answer a request with the square alone, e.g. `144\\n`.",
        )?;
        // A sleep never ends early; 5 ms covers rounding between the clocks.
        if took + Duration::from_millis(5) < DB_DELAY {
            return Err(problem(
                format!(
                    "`SQUARE 12` was answered after {}, but every valid request stands for a \
                     database call of DB_DELAY (100 ms).",
                    fmt_duration(took)
                ),
                "wait `tokio::time::sleep(DB_DELAY).await` before each answer to a valid request.",
            ));
        }
        Ok(())
    });
}

#[test]
fn one_connection_carries_several_requests() {
    // Two requests in one write: the server must cut the bytes into lines.
    // The big one first: its square does not fit in an i64.
    const BIG: &str = "SQUARE 3037000500";
    const REQUESTS: [(&str, &str); 2] = [(BIG, "9223372037000250000"), ("SQUARE 2", "4")];
    with_server(|addr| async move {
        let mut client = Client::connect(addr).await?;
        let all: String = REQUESTS.iter().map(|(r, _)| format!("{r}\n")).collect();
        client.send(&all).await?;
        for (k, (request, want)) in REQUESTS.into_iter().enumerate() {
            let got = match client.line(ANSWER_WAIT).await {
                Ok(line) => line,
                Err(Gone::Closed { partial }) if partial.is_empty() && k == 0 => {
                    return Err(problem(
                        "the server closed the connection without answering \
                         `SQUARE 3037000500`: its square, 9223372037000250000, does not fit in \
                         an i64, and an overflow panics (in a debug build), ending the \
                         connection's task.",
                        "compute the square in a wider type: `i128::from(n) * i128::from(n)`.",
                    ));
                }
                Err(Gone::Closed { partial }) if partial.is_empty() => {
                    return Err(problem(
                        format!(
                            "after answering the first request, the server closed the \
                             connection without answering the second one, {}, sent on the \
                             same connection.",
                            quote(request)
                        ),
                        "a connection carries requests until the client closes it: loop over \
                         the lines (`while let Some(line) = lines.next_line().await? {...}`).",
                    ));
                }
                Err(gone) => return Err(gone.problem(request)),
            };
            let hint = if got.starts_with("ERR") {
                "this is a valid request. The two requests were sent in ONE write: a server \
                 must cut what it reads at each `\\n`, however the bytes arrive (`BufReader` \
                 + `lines()`), and answer the lines one by one, in order."
            } else if request == BIG {
                "9223372037000250000 does not fit in an i64: compute the square in a wider \
                 type, `i128::from(n) * i128::from(n)`."
            } else {
                "answer the lines one by one, in order, each with the square alone."
            };
            expect_answer(request, &got, want, hint)?;
        }
        Ok(())
    });
}

#[test]
fn a_bad_line_gets_an_error_and_the_connection_stays_open() {
    with_server(|addr| async move {
        let mut client = Client::connect(addr).await?;
        client.send("HELLO\n").await?;
        let got = client.answer("HELLO", ANSWER_WAIT).await?;
        let reason = got.strip_prefix("ERR ").unwrap_or("");
        if reason.trim().is_empty() {
            return Err(problem(
                format!(
                    "`HELLO` got the answer {}, expected `ERR <reason>`.",
                    quote(&got)
                ),
                "answer a bad line with `ERR ` and the reason `parse_request` gives.",
            ));
        }
        client.send("SQUARE -5\n").await?;
        match client.line(ANSWER_WAIT).await {
            Ok(line) => expect_answer(
                "SQUARE -5",
                &line,
                "25",
                "after an `ERR` answer, keep serving the same connection.",
            ),
            Err(Gone::Closed { partial }) if partial.is_empty() => Err(problem(
                "after answering `ERR` to the bad line `HELLO`, the server closed the \
                 connection, so the next request, `SQUARE -5`, got no answer.",
                "a bad line is the client's mistake, not the end of the conversation: answer \
                 `ERR <reason>` and go on reading lines.",
            )),
            Err(gone) => Err(gone.problem("SQUARE -5")),
        }
    });
}

#[test]
fn two_clients_are_served_at_the_same_time() {
    with_server(|addr| async move {
        let mut first = Client::connect(addr).await?;
        first.send("SQUARE 2\n").await?;
        let got = first.answer("SQUARE 2", ANSWER_WAIT).await?;
        expect_answer("SQUARE 2", &got, "4", "answer with the square alone.")?;
        // The first client stays connected, idle, while a second one asks.
        let mut second = Client::connect(addr).await?;
        second.send("SQUARE 3\n").await?;
        match second.line(SECOND_CLIENT_WAIT).await {
            Ok(line) => expect_answer("SQUARE 3", &line, "9", "answer with the square alone.")?,
            Err(Gone::Silent { partial, waited }) if partial.is_empty() => {
                return Err(problem(
                    format!(
                        "a second client got no answer within {} while the first client stayed \
                         connected (idle, after its own answer): the server serves one \
                         connection at a time.",
                        fmt_duration(waited)
                    ),
                    "in the accept loop, `tokio::spawn` a task per connection and go straight \
                     back to `accept`; awaiting the connection's handler right there makes \
                     every other client wait until that one disconnects.",
                ));
            }
            Err(gone) => return Err(gone.problem("SQUARE 3")),
        }
        drop(first);
        Ok(())
    });
}

#[test]
fn shutdown_ends_serve() {
    // Alone: the check that the port is closed afterwards must not meet
    // another test's listener reusing it.
    let _alone = GATE.write().unwrap_or_else(PoisonError::into_inner);
    let outcome = real_clock(WATCHDOG, HUNG, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = serve(listener, async move {
            let _ = stopped.await;
        });
        tokio::pin!(server);
        // A client that got its answer and stays connected, idle.
        let script = async {
            let mut client = Client::connect(addr).await?;
            client.send("SQUARE 4\n").await?;
            let got = client.answer("SQUARE 4", ANSWER_WAIT).await?;
            expect_answer("SQUARE 4", &got, "16", "answer with the square alone.")?;
            Ok::<_, Problem>(client)
        };
        let idle = tokio::select! {
            biased;
            ended = &mut server => return Err(served_too_short(ended)),
            client = script => client?,
        };
        let _ = stop.send(());
        match tokio::time::timeout(SHUTDOWN_WAIT, &mut server).await {
            Err(_) => {
                return Err(problem(
                    format!(
                        "`serve` was still running {} after `shutdown` completed (one client \
                         was still connected, idle).",
                        fmt_duration(SHUTDOWN_WAIT)
                    ),
                    "in the accept loop, `tokio::select!` between `&mut shutdown` and \
                     `listener.accept()`, and return `Ok(())` as soon as shutdown wins. Don't \
                     wait for the open connections: a client may stay connected for hours.",
                ));
            }
            Ok(Err(e)) => {
                return Err(problem(
                    format!(
                        "`serve` returned Err({}) when `shutdown` completed, expected Ok(()).",
                        cut(&e.to_string(), 80)
                    ),
                    "a requested shutdown is a success: return `Ok(())`.",
                ));
            }
            Ok(Ok(())) => {}
        }
        // The listener must be closed now (give a task-held one 0.5 s to go).
        // A connection from the port to itself (Linux's "self-connect", when
        // the kernel happens to pick the closed port as the client's own
        // port) does not count.
        let closing = Instant::now();
        while let Ok(stream) = TcpStream::connect(addr).await {
            if stream.local_addr().ok() == Some(addr) {
                break;
            }
            if closing.elapsed() > Duration::from_millis(500) {
                return Err(problem(
                    format!(
                        "`serve` returned, but {addr} still accepted new connections 0.5 s \
                         later: the listener is still open."
                    ),
                    "keep the listener in `serve`'s own loop (not in a task that outlives \
                     it), so returning from `serve` closes it.",
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(idle);
        Ok(())
    });
    outcome.unwrap_or_else(|p| p.fail());
}

// ---------------------------------------------------------------------------
// The load test.

/// How many clients connect at once.
const CLIENTS: usize = 10_000;
/// File descriptors kept free besides the clients' sockets.
const SPARE_FDS: u64 = 200;
/// Connections the server has not accepted yet, at most: half the listen
/// backlog the server program asks for (1024), or of the system's cap on it
/// (Linux says it in /proc; macOS and the BSDs cap it at 128 by default).
fn unaccepted_limit() -> usize {
    let cap = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|text| text.trim().parse::<usize>().ok())
        .unwrap_or(128);
    (cap.min(1024) / 2).max(8)
}
/// A client the server has not served for this long (though it answers its
/// line at once) shows that the server has stopped accepting.
const CONNECT_STALL: Duration = Duration::from_secs(2);
/// All clients must be connected by then (a correct server needs about 1 s).
const CONNECT_LIMIT: Duration = Duration::from_secs(8);
/// Every answer must have come this long after the last request was sent:
/// 50 x DB_DELAY. A concurrent server needs about one DB_DELAY plus overhead;
/// one that blocks its worker threads needs 10 000 x 100 ms / cores.
const ANSWER_PATIENCE: Duration = Duration::from_secs(5);
/// Real time the whole load test may take before the watchdog stops it.
const LOAD_WATCHDOG: Duration = Duration::from_secs(25);
/// How long the server process may take to print its address.
const START_WAIT: Duration = Duration::from_secs(3);
/// Peak memory (VmHWM) allowed for the server process with all clients
/// connected. The reference peaks at about 26 MiB; with 8 KiB read buffers
/// (`BufReader::new`) a server needs about 95 MiB.
const MEMORY_LIMIT_MIB: u64 = 256;

/// Threads allowed in the server process: the runtime's workers (one per
/// core), the program's own few, and room to spare. A thread per connection
/// shows thousands.
fn thread_limit() -> usize {
    64.max(cores() + 32)
}

/// Set in the child process: it runs the server program instead of the test.
const CHILD_ENV: &str = "EX13_SERVER_CHILD";
/// The test that doubles as the child's entry point.
const LOAD_TEST: &str = "ten_thousand_clients_at_once";
const LISTENING: &str = "ex13-server listening on ";
const PANIC_MARK: &str = "ex13-child-panicked: ";
const ERROR_MARK: &str = "ex13-child-error: ";

/// The child's side: the provided server program, with its panics reported on
/// stdout, and a lifeline: once stdin is closed (the test is over, or gone),
/// the process ends within 2 s even if `serve` never returns.
fn run_server_child() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info.payload();
        let text = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(a panic without a message)");
        println!("{PANIC_MARK}{location}\t{}", text.replace('\n', " "));
    }));
    thread::spawn(|| {
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        thread::sleep(Duration::from_secs(2));
        std::process::exit(0);
    });
    if let Err(e) = server_program::main() {
        println!("{ERROR_MARK}{e}");
    }
}

/// What the child printed that the test cares about.
#[derive(Default)]
struct ChildLog {
    panics: Vec<String>,
    errors: Vec<String>,
}

/// The server program in a child process; killed when dropped.
struct ServerProcess {
    /// `None` only while being dropped.
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    addr: SocketAddr,
    log: Arc<Mutex<ChildLog>>,
    /// Receives once the child's stdout has ended.
    output_ended: mpsc::Receiver<()>,
}

impl ServerProcess {
    fn start() -> Result<ServerProcess, Problem> {
        let exe = std::env::current_exe().map_err(|e| {
            problem(
                format!("the grader could not find its own program: {e}."),
                "run the tests again.",
            )
        })?;
        let mut child = Command::new(exe)
            .args([
                LOAD_TEST,
                "--exact",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ])
            .env(CHILD_ENV, "1")
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                problem(
                    format!("the grader could not start the server process: {e}."),
                    "run the tests again.",
                )
            })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let log = Arc::new(Mutex::new(ChildLog::default()));
        let (tx, rx) = mpsc::channel();
        let (ended, output_ended) = mpsc::channel();
        let child_log = Arc::clone(&log);
        thread::spawn(move || {
            let _ended = ended;
            for line in StdBufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut log = child_log.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(addr) = line.strip_prefix(LISTENING) {
                    let _ = tx.send(addr.trim().parse::<SocketAddr>());
                } else if let Some(text) = line.strip_prefix(PANIC_MARK) {
                    log.panics.push(text.to_string());
                } else if let Some(text) = line.strip_prefix(ERROR_MARK) {
                    log.errors.push(text.to_string());
                }
            }
        });
        let mut server = ServerProcess {
            child: Some(child),
            stdin,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
            output_ended,
        };
        match rx.recv_timeout(START_WAIT) {
            Ok(Ok(addr)) => {
                server.addr = addr;
                Ok(server)
            }
            Ok(Err(e)) => Err(problem(
                format!("the server program printed an address the grader cannot read: {e}."),
                "leave src/bin/server.rs as it was provided.",
            )),
            Err(_) => {
                server.settle();
                Err(problem(
                    format!(
                        "the server program did not print `{LISTENING}<address>` within {}{}.",
                        fmt_duration(START_WAIT),
                        server.ending()
                    ),
                    "leave src/bin/server.rs as it was provided.",
                ))
            }
        }
    }

    fn child(&mut self) -> &mut Child {
        self.child
            .as_mut()
            .expect("the child is there until dropped")
    }

    fn pid(&mut self) -> u32 {
        self.child().id()
    }

    /// Gives a dying child a moment to print its last lines.
    fn settle(&mut self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(300) {
            if !matches!(self.child().try_wait(), Ok(None)) {
                thread::sleep(Duration::from_millis(50));
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// " (the server process has ended: ...)" if it has.
    fn ending(&mut self) -> String {
        let log = Arc::clone(&self.log);
        let log = log.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(error) = log.errors.first() {
            return format!(" (`serve` returned Err({}))", cut(error, 80));
        }
        match self.child().try_wait() {
            Ok(Some(status)) => format!(" (the server process has ended: {status})"),
            _ => String::new(),
        }
    }

    /// After a failure: the first panic the child reported, as
    /// "src/lib.rs:12\tmessage". Gives a dying child a moment to report it,
    /// then kills it and reads all it printed.
    fn last_words(&mut self) -> Option<String> {
        self.settle();
        self.kill();
        let _ = self.output_ended.recv_timeout(Duration::from_secs(2));
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.panics.first().cloned()
    }

    /// Kills the process (the signal only: the kernel's cleanup of its
    /// sockets goes on meanwhile).
    fn kill(&mut self) {
        drop(self.stdin.take());
        let _ = self.child().kill();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
        // Closing 10 000 sockets takes the kernel a few hundred milliseconds:
        // reap the process off the test's path.
        if let Some(mut child) = self.child.take() {
            thread::spawn(move || child.wait());
        }
    }
}

/// What `/proc/<pid>/status` says about a process (Linux only).
#[derive(Clone, Copy, Debug, Default)]
struct ProcStatus {
    threads: usize,
    peak_memory_kib: u64,
}

fn proc_status(pid: u32) -> Option<ProcStatus> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    Some(ProcStatus {
        threads: usize::try_from(field("Threads:")?).ok()?,
        peak_memory_kib: field("VmHWM:")?,
    })
}

/// Samples the server's thread count every few milliseconds, keeping the peak.
struct ThreadWatch {
    peak: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl ThreadWatch {
    fn start(pid: u32) -> ThreadWatch {
        let peak = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (Arc::clone(&peak), Arc::clone(&stop));
        thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some(status) = proc_status(pid) {
                    p.fetch_max(status.threads, Ordering::Relaxed);
                }
                thread::sleep(Duration::from_millis(5));
            }
        });
        ThreadWatch { peak, stop }
    }

    fn note(&self, threads: usize) {
        self.peak.fetch_max(threads, Ordering::Relaxed);
    }

    fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for ThreadWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The number client `i` asks to square: negative, zero and positive ones.
fn request_number(i: usize) -> i64 {
    i as i64 - 5_000
}

/// The bad line some load-test clients send while connecting: a correct
/// server answers it at once with `ERR <reason>`.
const PROBE: &str = "HELLO\n";

/// Waits (at most [`CONNECT_STALL`]) for the `ERR` answer to a probe:
/// `false` if none came, a problem if something else came.
fn probe_answered(
    stream: &mut std::net::TcpStream,
    server: &mut ServerProcess,
) -> Result<bool, Problem> {
    let hint = "answer a bad line at once with `ERR <reason>` and keep serving the connection \
                (the test a_bad_line_gets_an_error_and_the_connection_stays_open checks it too).";
    match read_answer(stream, Instant::now() + CONNECT_STALL) {
        Ok(line) if line.starts_with("ERR") => Ok(true),
        Ok(line) => Err(problem(
            format!(
                "while the clients connected, some sent the bad line `HELLO` (to see how far \
                 the server had got) and one got the answer {}, expected `ERR <reason>`.",
                quote(&line)
            ),
            hint,
        )),
        Err(Gone::Silent { partial, .. }) if partial.is_empty() => Ok(false),
        Err(gone) => {
            let mut p = gone.problem("HELLO");
            p.observed = format!(
                "while the clients connected, some sent the bad line `HELLO` (to see how far \
                 the server had got): {}{}",
                p.observed,
                server.ending()
            );
            p.hint = hint.to_string();
            Err(p)
        }
    }
}

/// Reads one answer line from a load-test client, waiting until `deadline`.
fn read_answer(stream: &mut std::net::TcpStream, deadline: Instant) -> Result<String, Gone> {
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        let partial = || String::from_utf8_lossy(&got).into_owned();
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return Err(Gone::Silent {
                partial: partial(),
                waited: Duration::ZERO,
            });
        };
        if let Err(e) = stream.set_read_timeout(Some(left.max(Duration::from_millis(1)))) {
            return Err(Gone::Failed(e));
        }
        match stream.read(&mut buf) {
            Ok(0) => return Err(Gone::Closed { partial: partial() }),
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                if let Some(end) = got.iter().position(|&b| b == b'\n') {
                    return Ok(String::from_utf8_lossy(&got[..end]).into_owned());
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                let partial = partial();
                return Err(Gone::Silent {
                    partial,
                    waited: Duration::ZERO,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Gone::Failed(e)),
        }
    }
}

/// Whether a complete answer is already waiting on `stream` (without waiting).
fn has_answer(stream: &std::net::TcpStream) -> bool {
    let mut buf = [0u8; 64];
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let answered = matches!(stream.peek(&mut buf), Ok(n) if buf[..n].contains(&b'\n'));
    let _ = stream.set_nonblocking(false);
    answered
}

/// What the load test saw.
#[derive(Default)]
struct Load {
    clients: usize,
    connected: usize,
    connect_time: Duration,
    /// From the last request sent to the last answer read.
    answer_time: Duration,
    /// How long the answers were waited for.
    patience: Duration,
    answered: usize,
    /// The first failure of the load itself, if any.
    problem: Option<Problem>,
    /// Whether `/proc` could be read (Linux).
    observed: bool,
    peak_threads: usize,
    peak_memory_kib: u64,
    first_panic: Option<String>,
}

/// Connects `load.clients` clients at once to the server process, sends one
/// request on each, reads every answer. Plain blocking sockets on one thread:
/// the grader's side stays cheap, and every wait has a deadline.
fn run_load(server: &mut ServerProcess, load: &mut Load) {
    let watch = ThreadWatch::start(server.pid());
    // Every client stays connected until the server has been measured.
    let mut streams = Vec::with_capacity(load.clients);
    load.problem = connect_send_read(server, load, &mut streams).err();
    // While every client is still connected: the server's threads and peak
    // memory.
    if let Some(status) = proc_status(server.pid()) {
        watch.note(status.threads);
        load.observed = true;
        load.peak_memory_kib = status.peak_memory_kib;
    }
    load.peak_threads = watch.peak();
    if load.problem.is_some() {
        load.first_panic = server.last_words();
    }
    // The end: the server goes first, then the clients' sockets are closed
    // off the test's path (10 000 closes take a few hundred milliseconds).
    server.kill();
    thread::spawn(move || drop(streams));
}

/// The three steps of the load test; the first failure ends it.
fn connect_send_read(
    server: &mut ServerProcess,
    load: &mut Load,
    streams: &mut Vec<std::net::TcpStream>,
) -> Result<(), Problem> {
    let addr = server.addr;
    let n = load.clients;
    let pid = server.pid();

    // 1. Connect everyone. A connect completes as soon as the kernel has
    //    queued the connection, before the server accepts it; if that queue
    //    (the listen backlog) overflows, the kernel drops connects and the
    //    client retries only a second later. So at most `unaccepted`
    //    connections may wait in it. To know how far the server has got,
    //    every `probe_every`-th client sends a bad line at once: its `ERR`
    //    answer shows that the server has accepted it, and (the queue being
    //    first in, first out) every client before it.
    let unaccepted = unaccepted_limit();
    let probe_every = (unaccepted / 4).max(1);
    let mut probes = std::collections::VecDeque::new();
    let mut accepted = 0;
    let started = Instant::now();
    let mut stalled = None;
    while streams.len() < n {
        if started.elapsed() > CONNECT_LIMIT {
            stalled = Some(streams.len());
            break;
        }
        if streams.len() - accepted >= unaccepted {
            let probe = probes
                .pop_front()
                .expect("a probe among the unaccepted clients");
            if !probe_answered(&mut streams[probe], server)? {
                stalled = Some(probe);
                break;
            }
            accepted = probe + 1;
            continue;
        }
        let mut stream = match std::net::TcpStream::connect_timeout(&addr, CONNECT_STALL) {
            Ok(stream) => stream,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                stalled = Some(streams.len());
                break;
            }
            Err(e) => {
                load.connected = streams.len();
                return Err(problem(
                    format!(
                        "after {} of {n} clients had connected, the next one could not: \
                         {e}{}.",
                        streams.len(),
                        server.ending()
                    ),
                    "keep accepting connections until `shutdown` completes; an error on \
                     one connection must end that connection's task only.",
                ));
            }
        };
        // Closing resets the connection: no TIME_WAIT piles up when the
        // suite runs again and again.
        let _ = grading::reset_on_close(&stream);
        if streams.len().is_multiple_of(probe_every) {
            if let Err(e) = stream.write_all(PROBE.as_bytes()) {
                return Err(problem(
                    format!(
                        "client {} could not send its first line: {e}{}.",
                        streams.len(),
                        server.ending()
                    ),
                    "keep every connection open until its client closes it.",
                ));
            }
            probes.push_back(streams.len());
        }
        streams.push(stream);
    }
    load.connected = streams.len();
    load.connect_time = started.elapsed();
    // The last probes' answers, so that they are not taken for the answers
    // to the requests.
    while stalled.is_none() {
        let Some(probe) = probes.pop_front() else {
            break;
        };
        if !probe_answered(&mut streams[probe], server)? {
            stalled = Some(probe);
        }
    }
    if let Some(waiting) = stalled {
        let waited = if load.connect_time > CONNECT_LIMIT {
            format!(
                "in {} only {} of {n} clients could connect",
                fmt_duration(load.connect_time),
                load.connected
            )
        } else {
            format!(
                "{} of {n} clients could connect, but client {waiting} was not served for {} \
                 (it had sent a line the server answers at once)",
                load.connected,
                fmt_duration(CONNECT_STALL)
            )
        };
        return Err(problem(
            format!(
                "{waited}: the server stopped accepting new connections{} (a correct server \
                 accepts 10 000 in a second or two).",
                server.ending()
            ),
            "the accept loop must go straight back to `accept`: `tokio::spawn` each \
             connection's handler instead of awaiting it there (it runs until that client \
             disconnects), and never block inside `serve`.",
        ));
    }

    // A thread per connection shows now: the judge reports it, no need to
    // wait for the answers.
    if proc_status(pid).is_some_and(|status| status.threads > thread_limit()) {
        return Ok(());
    }

    // 2. Everyone sends one request.
    for (i, stream) in streams.iter_mut().enumerate() {
        let request = format!("SQUARE {}\n", request_number(i));
        if let Err(e) = stream.write_all(request.as_bytes()) {
            return Err(problem(
                format!(
                    "client {i} could not send its request while all {n} were connected: \
                     {e}{}.",
                    server.ending()
                ),
                "keep every connection open until its client closes it.",
            ));
        }
    }

    // 3. Everyone reads its answer. The patience grows on a slow machine: a
    //    machine that took long to connect everyone also answers slowly.
    let sent = Instant::now();
    load.patience = (load.connect_time * 2).clamp(ANSWER_PATIENCE, 2 * ANSWER_PATIENCE);
    let deadline = sent + load.patience;
    for (i, stream) in streams.iter_mut().enumerate() {
        let number = request_number(i);
        let request = format!("SQUARE {number}");
        match read_answer(stream, deadline) {
            Ok(line) => {
                load.answered += 1;
                let want = (i128::from(number) * i128::from(number)).to_string();
                if line != want {
                    return Err(problem(
                        format!(
                            "with {n} clients connected, {} got the answer {}, expected {}.",
                            quote(&request),
                            quote(&line),
                            quote(&want)
                        ),
                        "each connection's answers must go to that connection: give each \
                         task its own stream, and answer with the square alone.",
                    ));
                }
            }
            Err(Gone::Silent { partial, .. }) if partial.is_empty() => {
                // Time is up: count the answers that did come.
                let answered =
                    load.answered + streams[i..].iter().filter(|s| has_answer(s)).count();
                load.answer_time = sent.elapsed();
                return Err(falling_behind(n, answered, load.patience));
            }
            Err(gone) => {
                let mut p = gone.problem(&request);
                p.observed = format!(
                    "with {n} clients connected: {}{}",
                    p.observed,
                    server.ending()
                );
                return Err(p);
            }
        }
    }
    load.answer_time = sent.elapsed();

    Ok(())
}

/// The diagnosis when the answers do not all come in time.
fn falling_behind(n: usize, answered: usize, patience: Duration) -> Problem {
    let cause = if answered <= 1 {
        format!("Only {answered} answer came: the server serves one connection at a time.")
    } else {
        let per_delay = answered as f64 * DB_DELAY.as_secs_f64() / patience.as_secs_f64();
        format!(
            "The answers trickled in, about {per_delay:.0} per 100 ms (this machine has {} \
             cores): each request held a runtime thread for its whole DB_DELAY, so something \
             blocks inside async code (`std::thread::sleep`?).",
            cores()
        )
    };
    problem(
        format!(
            "the server falls behind: with {n} clients connected, {answered} had their answer \
             {} after the last request was sent; a server that serves them concurrently \
             answers them all about DB_DELAY (100 ms) after they arrive. {cause}",
            fmt_duration(patience)
        ),
        "spawn a task per connection (`tokio::spawn`), and inside it only await: \
         `tokio::time::sleep(DB_DELAY).await` waits without holding a thread; \
         `std::thread::sleep` or other blocking calls stall every task queued on that \
         worker thread.",
    )
}

#[test]
fn ten_thousand_clients_at_once() {
    if std::env::var_os(CHILD_ENV).is_some() {
        run_server_child();
        return;
    }
    let _alone = GATE.write().unwrap_or_else(PoisonError::into_inner);
    // The child process inherits the raised limit.
    let mut clients = CLIENTS;
    if let Some(limit) = grading::raise_open_files_limit() {
        let room = usize::try_from(limit.saturating_sub(SPARE_FDS)).unwrap_or(usize::MAX);
        if room < CLIENTS {
            clients = room.max(10);
            println!(
                "NOTE: this machine allows only {limit} open files per process, so this test \
                 connects {clients} clients instead of {CLIENTS}."
            );
        }
    }
    let load = within(LOAD_WATCHDOG, LOAD_HUNG, move || {
        let mut load = Load {
            clients,
            ..Load::default()
        };
        let mut server = match ServerProcess::start() {
            Ok(server) => server,
            Err(p) => {
                load.problem = Some(p);
                return load;
            }
        };
        run_load(&mut server, &mut load);
        load
    });
    judge_load(&load);
}

const LOAD_HUNG: &str = "The load test did not finish: the grader's clients got stuck. This \
    should not happen whatever the server does; run the tests again, and if it repeats, \
    report it.";

fn judge_load(load: &Load) {
    let n = load.clients;
    let limit = thread_limit();
    // A thread per connection comes first: it explains everything after it
    // (threads that could not be created, a server that ran out of memory).
    if load.peak_threads > limit {
        fail!(
            "the server ran {} threads for {n} connections: a thread per connection. A task \
             waiting for its client costs a few hundred bytes; a thread costs a stack and a \
             place in the OS scheduler, and thousands of them are the C10k problem.",
            load.peak_threads;
            try = "spawn a tokio task per connection (`tokio::spawn`) with async reads, writes \
                   and `tokio::time::sleep`, instead of `std::thread::spawn` or \
                   `spawn_blocking` per connection."
        );
    }
    if let Some(panic) = &load.first_panic {
        let (location, text) = panic.split_once('\t').unwrap_or(("", panic));
        let file = location.rsplit_once("../").map_or(location, |(_, f)| f);
        fail!(
            "{}\n(in the server process, at {file})",
            student_panic_message(&text.to_string()).trim()
        );
    }
    if let Some(p) = &load.problem {
        fail!("{}", p.observed; try = "{}", p.hint);
    }
    let report = format!(
        "{n} clients connected at once in {}; all answered {} after the last request was sent",
        fmt_duration(load.connect_time),
        fmt_duration(load.answer_time)
    );
    if load.observed {
        let mib = load.peak_memory_kib / 1024;
        check!(
            mib < MEMORY_LIMIT_MIB,
            "the server process reached {mib} MiB of memory (VmHWM) with {n} clients \
             connected; the limit is {MEMORY_LIMIT_MIB} MiB.";
            try = "keep per-connection state small: a small read buffer \
                   (`BufReader::with_capacity`), no big per-connection allocations."
        );
        println!(
            "{report}; the server process ran at most {} threads and peaked at {mib} MiB.",
            load.peak_threads
        );
    } else {
        println!(
            "{report}. SKIPPED: the server's threads and memory are read from /proc, which \
             this system does not have."
        );
    }
}
