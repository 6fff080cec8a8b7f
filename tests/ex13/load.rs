//! The load generator: 10 000 clients connect to the server process (never
//! more than half the listen backlog ahead of what the server has accepted,
//! so the backlog never overflows: every so often a client sends a bad line
//! at once, and its `ERR` answer shows how far the server has got), all stay
//! connected, all but a few send one request, all read their answer, on plain
//! blocking sockets on one thread. The few idle clients are kept for the end:
//! if the answers fall behind, they send bad lines one after another to see
//! whether the server still answers at once (its threads are free: the
//! requests are serialised) or not (its threads are blocked).
//! The clients close by reset (no `TIME_WAIT` piles up when the suite runs
//! again and again).

use std::collections::VecDeque;
use std::io::{self, Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use grading::{fmt_duration, ms, secs, Cause};

use crate::child::ServerProcess;
use crate::client::{problem, quote, Gone, Problem};
use crate::judge;
use crate::procfs::{proc_status, workers_in_sleep, ThreadWatch};

/// How many clients connect at once.
pub const CLIENTS: usize = 10_000;
/// File descriptors kept free besides the clients' sockets.
pub const SPARE_FDS: u64 = 200;
/// The first clients send no request: they stay idle, for the
/// responsiveness probes.
///
/// The odds that a server whose worker threads are blocked passes for a
/// responsive one: tokio's multi-thread scheduler looks for new I/O events,
/// on a worker that always has tasks queued, only once every 61 task polls
/// (`event_interval`). With every poll blocked for DB_DELAY, a worker notices
/// a new line at most once per 61 x 100 ms = 6.1 s. The probes go one after
/// another and stop at the first slow one, so all of them are quick only if
/// IDLE such checks, on IDLE different workers, fall within the IDLE x QUICK
/// = 300 ms the probes take: impossible with fewer than IDLE cores (CI and
/// the course machines have 2); with c cores about C(c, 6) x (0.3 / 6.1)^6,
/// 3.9e-7 for 8 cores. A server whose threads are free (correct, or merely
/// serialised) answers each probe in about a millisecond, 50 times within
/// QUICK.
pub const IDLE: usize = 6;
/// A bad line answered within this long shows a server whose threads are
/// free: a correct or merely serialised server answers in about 1 ms.
pub const QUICK: Duration = ms(50);
/// How long a responsiveness probe waits for its answer at most.
pub const PROBE_WAIT: Duration = secs(1);
/// A client the server has not served for this long (though it answers its
/// line at once) shows that the server has stopped accepting.
const CONNECT_STALL: Duration = secs(2);
/// All clients must be connected by then (a correct server needs about 1 s).
const CONNECT_LIMIT: Duration = secs(8);
/// Every answer must have come this long after the last request was sent:
/// 50 x DB_DELAY. A concurrent server needs about one DB_DELAY plus overhead;
/// one that blocks its worker threads needs 10 000 x 100 ms / cores.
const ANSWER_PATIENCE: Duration = secs(5);
/// The bad line some clients send while connecting, and the idle clients at
/// the end: a correct server answers it at once with `ERR <reason>`.
const PROBE: &str = "HELLO\n";

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

/// The number client `i` asks to square: negative, zero and positive ones.
pub fn request_number(i: usize) -> i64 {
    i as i64 - 5_000
}

/// What the idle clients saw when they sent bad lines at the end.
#[derive(Debug, Default)]
pub struct Responsiveness {
    /// How long each probe waited for its `ERR`, in order; the probes stop
    /// at the first slow or missing answer.
    pub answered_after: Vec<Duration>,
    /// Whether the last probe got no answer within [`PROBE_WAIT`].
    pub unanswered: bool,
    /// The most runtime worker threads of the server seen at once inside a
    /// sleep system call, over a few looks (`None`: could not be read).
    pub workers_in_sleep: Option<usize>,
}

impl Responsiveness {
    /// Every idle client got its answer at once.
    pub fn quick(&self) -> bool {
        !self.unanswered
            && self.answered_after.len() == IDLE
            && self.answered_after.iter().all(|&t| t <= QUICK)
    }
}

/// What the load test saw.
#[derive(Default)]
pub struct Load {
    pub clients: usize,
    pub connected: usize,
    pub connect_time: Duration,
    /// From the last request sent to the last answer read.
    pub answer_time: Duration,
    /// Every how many clients one sent a bad line while connecting (besides
    /// the idle ones).
    pub probe_every: usize,
    /// The first failure of the load itself, if any.
    pub problem: Option<Problem>,
    /// Whether `/proc` could be read (Linux).
    pub observed: bool,
    pub peak_threads: usize,
    pub peak_memory_kib: u64,
    pub first_panic: Option<String>,
}

/// Connects `load.clients` clients at once to the server process, sends one
/// request on each but the idle ones, reads every answer.
pub fn run_load(server: &mut ServerProcess, load: &mut Load) {
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
    // off the test's path (10 000 closes take the kernel a few hundred
    // milliseconds, which the test's process would pay at the latest when
    // it exits).
    server.kill();
    grading::close_in_background(streams);
}

/// The three steps of the load test; the first failure ends it.
fn connect_send_read(
    server: &mut ServerProcess,
    load: &mut Load,
    streams: &mut Vec<TcpStream>,
) -> Result<(), Problem> {
    connect_everyone(server, load, streams)?;
    // A thread per connection shows now: the judge reports it, no need to
    // wait for the answers.
    let pid = server.pid();
    if proc_status(pid).is_some_and(|status| status.threads > judge::thread_limit()) {
        return Ok(());
    }
    let n = load.clients;

    // 2. Everyone but the idle clients sends one request.
    for (i, stream) in streams.iter_mut().enumerate().skip(IDLE) {
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
    let patience = (load.connect_time * 2).clamp(ANSWER_PATIENCE, 2 * ANSWER_PATIENCE);
    let deadline = sent + patience;
    let mut answered = 0;
    for i in IDLE..streams.len() {
        let number = request_number(i);
        let request = format!("SQUARE {number}");
        let before = if i.is_multiple_of(load.probe_every) {
            " (this client had sent the bad line `HELLO` before, and got its `ERR`)"
        } else {
            ""
        };
        match read_answer(&mut streams[i], deadline) {
            Ok(line) => {
                answered += 1;
                let want = (i128::from(number) * i128::from(number)).to_string();
                if line != want {
                    let hint = if line.starts_with("ERR") {
                        judge::NOT_READ_AS_SENT
                    } else {
                        "each connection's answers must go to that connection: give each \
                         task its own stream, and answer with the square alone."
                    };
                    return Err(problem(
                        format!(
                            "with {n} clients connected, {} got the answer {}, expected \
                             {}{before}.",
                            quote(&request),
                            quote(&line),
                            quote(&want)
                        ),
                        hint,
                    ));
                }
            }
            Err(Gone::Silent { partial, .. }) if partial.is_empty() => {
                // Time is up: count the answers that did come, then ask the
                // idle clients whether the server still answers at once.
                let answered = answered + streams[i..].iter().filter(|s| has_answer(s)).count();
                load.answer_time = sent.elapsed();
                let mut responsiveness = probe_idle_clients(&mut streams[..IDLE]);
                responsiveness.workers_in_sleep = look_for_sleeping_workers(server.pid());
                return Err(judge::falling_behind(
                    n - IDLE,
                    answered,
                    patience,
                    &responsiveness,
                ));
            }
            Err(gone) => {
                let mut p = gone.problem(&request);
                p.observed = format!(
                    "with {n} clients connected: {}{before}{}.",
                    p.observed.trim_end_matches('.'),
                    server.ending()
                );
                return Err(p);
            }
        }
    }
    load.answer_time = sent.elapsed();
    Ok(())
}

/// 1. Connects everyone. A connect completes as soon as the kernel has
///    queued the connection, before the server accepts it; if that queue
///    (the listen backlog) overflows, the kernel drops connects and the
///    client retries only a second later. So at most `unaccepted`
///    connections may wait in it. To know how far the server has got, the
///    idle clients and every `probe_every`-th client send a bad line at once:
///    its `ERR` answer shows that the server has accepted it, and (the queue
///    being first in, first out) every client before it.
fn connect_everyone(
    server: &mut ServerProcess,
    load: &mut Load,
    streams: &mut Vec<TcpStream>,
) -> Result<(), Problem> {
    let addr = server.addr;
    let n = load.clients;
    let unaccepted = unaccepted_limit();
    let probe_every = (unaccepted / 4).max(1);
    load.probe_every = probe_every;
    let mut probes = VecDeque::new();
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
        let mut stream = match TcpStream::connect_timeout(&addr, CONNECT_STALL) {
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
        if streams.len() < IDLE || streams.len().is_multiple_of(probe_every) {
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
    let Some(waiting) = stalled else {
        return Ok(());
    };
    if waiting == 0 {
        return Err(problem(
            format!(
                "not even the first client got an answer to the bad line `HELLO`, which a \
                 server answers at once, within {}{}: nothing the server writes reaches the \
                 clients, or it never reads what they send.",
                fmt_duration(CONNECT_STALL),
                server.ending()
            ),
            "read each connection line by line and write each answer right away with \
             `write_all` (an answer written into a `BufWriter` stays there until you \
             `flush()` it); the small tests show what goes wrong on one connection.",
        )
        .candidates([Cause::NotFlushed, Cause::BlockingInAsync, Cause::BusyLoop]));
    }
    let waited = if load.connect_time > CONNECT_LIMIT {
        format!(
            "in {} only {} of {n} clients could connect",
            fmt_duration(load.connect_time),
            load.connected
        )
    } else {
        format!(
            "{} of {n} clients could connect, but client {waiting} was not served for {} (it \
             had sent a line the server answers at once)",
            load.connected,
            fmt_duration(CONNECT_STALL)
        )
    };
    Err(problem(
        format!(
            "{waited}: the server stopped accepting new connections, or stopped serving them{} \
             (a correct server accepts 10 000 in a second or two).",
            server.ending()
        ),
        "the accept loop must go straight back to `accept`: `tokio::spawn` each connection's \
         handler instead of awaiting it there (it runs until that client disconnects); never \
         block inside `serve`; and don't cap the open connections below 10 000 (a \
         `Semaphore` held per connection) or make a new connection wait for an old one (one \
         lock held for a whole connection).",
    )
    .candidates([
        Cause::Sequential,
        Cause::UnderUsed,
        Cause::LockHeldWhileWaiting,
        Cause::BlockingInAsync,
        Cause::BusyLoop,
    ]))
}

/// Waits (at most [`CONNECT_STALL`]) for the `ERR` answer to a probe:
/// `false` if none came, a problem if something else came.
fn probe_answered(stream: &mut TcpStream, server: &mut ServerProcess) -> Result<bool, Problem> {
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

/// Looks at the server's worker threads 20 times, 5 ms apart: the most seen
/// inside a sleep system call at once.
fn look_for_sleeping_workers(pid: u32) -> Option<usize> {
    let mut most = None;
    for _ in 0..20 {
        if let Some(n) = workers_in_sleep(pid) {
            most = Some(most.map_or(n, |m: usize| m.max(n)));
        }
        std::thread::sleep(ms(5));
    }
    most
}

/// The idle clients send a bad line each, one after another, and time its
/// answer; they stop at the first answer that is slow or missing.
fn probe_idle_clients(idle: &mut [TcpStream]) -> Responsiveness {
    let mut seen = Responsiveness::default();
    for stream in idle {
        let sent = Instant::now();
        let answer = match stream.write_all(PROBE.as_bytes()) {
            Ok(()) => read_answer(stream, sent + PROBE_WAIT),
            Err(e) => Err(Gone::Failed(e)),
        };
        if answer.is_err() {
            seen.unanswered = true;
            break;
        }
        let took = sent.elapsed();
        seen.answered_after.push(took);
        if took > QUICK {
            break;
        }
    }
    seen
}

/// Reads one answer line from a load-test client, waiting until `deadline`.
fn read_answer(stream: &mut TcpStream, deadline: Instant) -> Result<String, Gone> {
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
        if let Err(e) = stream.set_read_timeout(Some(left.max(ms(1)))) {
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
                return Err(Gone::Silent {
                    partial: partial(),
                    waited: Duration::ZERO,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Gone::Failed(e)),
        }
    }
}

/// Whether a complete answer is already waiting on `stream` (without waiting).
fn has_answer(stream: &TcpStream) -> bool {
    let mut buf = [0u8; 64];
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let answered = matches!(stream.peek(&mut buf), Ok(n) if buf[..n].contains(&b'\n'));
    let _ = stream.set_nonblocking(false);
    answered
}
