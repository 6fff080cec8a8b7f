//! Graded suite for exercise 13 (capstone: 10 000 clients at once).
//!
//! Real sockets on 127.0.0.1 and the real clock (the paused clock cannot drive
//! network I/O). Three kinds of tests:
//!
//! - `parse_request` on its own: plain function calls.
//! - Small functional tests (`local.rs`, `client.rs`): `serve` runs on this
//!   process's runtime, polled together with a scripted client, so a panic in
//!   `serve` (a `todo!()`) is reported as the student's. Every read has a time
//!   limit well above what a correct server needs (one [`DB_DELAY`]).
//! - The load test: the provided server program runs in a child process
//!   (`child.rs`); 10 000 clients connect, all stay connected, all but a few
//!   send one request and read their answer (`load.rs`). The evidence is
//!   structural: how many threads the server process runs and its peak memory
//!   (`procfs.rs`, Linux only: elsewhere these two checks are skipped, and the
//!   test says so), whether the answers came at all within 50 x `DB_DELAY`,
//!   and, when they did not, whether the server still answered bad lines at
//!   once (its threads were free: the requests were serialised) or not (its
//!   threads were blocked).
//!
//! The judges (`judge.rs`) turn what was observed into a diagnosis. Every
//! test runs alongside the others: the shutdown test alone must see no new
//! listener while it checks that its port is closed, and [`GATE`] keeps
//! binds out of that moment only (it takes milliseconds for a correct
//! `serve`).

mod child;
mod client;
mod judge;
mod load;
mod local;
mod procfs;

/// The provided server program, compiled into this suite: the load test's
/// child process runs it.
#[path = "../../exercises/ex13-10k-requests/src/bin/server.rs"]
mod server_program;

use std::time::{Duration, Instant};

use ex13::{parse_request, serve, DB_DELAY};
use grading::{cut, fmt_duration, ms, real_clock, secs, within, Cause, Diagnosis};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use child::{run_server_child, ServerProcess, CHILD_ENV};
use client::{
    expect_answer, problem, quote, timeline, Client, Gone, Problem, ANSWER_WAIT, CORRECT, SEEN,
};
use load::{run_load, Load, CLIENTS, SPARE_FDS};
use local::{bind_error, hung, served_too_short, with_server, WATCHDOG};

/// Held for writing by the shutdown test from the moment it asks `serve` to
/// stop until it has checked that the port is closed: no other test may open
/// a listener meanwhile (it could get that port). Every other bind holds it
/// for reading, for the bind alone (the load test: while its server process
/// starts). A listener bound before the shutdown never gets that port: the
/// shutdown test's listener held it. (tokio's lock: the shutdown test awaits
/// while it holds it.)
static GATE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// How long the second client waits, after the first got its answer, while
/// the first stays connected. (A correct server needs one DB_DELAY from the
/// request: only a wrong one makes the test wait.)
const SECOND_CLIENT_WAIT: Duration = secs(2);
/// How long `serve` may take to return once `shutdown` has completed.
const SHUTDOWN_WAIT: Duration = secs(1);
/// Real time the whole load test may take before the watchdog stops it.
const LOAD_WATCHDOG: Duration = secs(25);
const LOAD_HUNG: &str = "The load test did not finish: the grader's clients got stuck. This \
    should not happen whatever the server does; run the tests again, and if it repeats, \
    report it.";

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
        cases.map(|(line, _)| parse_request(line))
    });
    for ((line, want), got) in cases.iter().zip(got) {
        if got.as_ref() != Ok(want) {
            Diagnosis::new(format!(
                "parse_request({line:?}) returned {got:?}, expected Ok({want})."
            ))
            .advice(
                "split the line into words (`split_whitespace`): the first must be `SQUARE`, the \
                 second parses as an i64 (`word.parse::<i64>()`), whatever its size: its square \
                 is computed later, in a wider type.",
            )
            .fail();
        }
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
        lines.map(parse_request)
    });
    for (line, got) in lines.iter().zip(got) {
        match got {
            Ok(n) => Diagnosis::new(format!(
                "parse_request({line:?}) returned Ok({n}), expected an Err with the reason: only \
                 `SQUARE` followed by exactly one whole number (an i64) is a request."
            ))
            .advice(
                "check every part: the command word, that there is one number, no more, and that \
                 it parses as an i64.",
            )
            .fail(),
            Err(reason) if reason.trim().is_empty() || reason.contains('\n') => {
                Diagnosis::new(format!(
                    "parse_request({line:?}) returned Err({reason:?}): the reason goes into the \
                     one-line answer `ERR <reason>`, so it must be a non-empty single line."
                ))
                .advice("say briefly what is wrong, e.g. \"unknown command: HELLO\".")
                .fail()
            }
            Err(_) => {}
        }
    }
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
        if took + ms(5) < DB_DELAY {
            let lane =
                |title, answered| timeline(title, sent, &[("SQUARE 12", &[(sent, answered)])]);
            return Err(problem(
                format!(
                    "`SQUARE 12` was answered after {}, but every valid request stands for a \
                     database call of DB_DELAY (100 ms).",
                    fmt_duration(took)
                ),
                "wait `tokio::time::sleep(DB_DELAY).await` before each answer to a valid request.",
            )
            .with_picture(lane(SEEN, sent + took), lane(CORRECT, sent + DB_DELAY)));
        }
        Ok(())
    });
}

#[test]
fn one_connection_carries_several_requests() {
    // Two requests in one write: the server must cut the bytes into lines.
    // The big one first: its square does not fit in an i64. (Their order is
    // the next test's business.)
    const BIG: &str = "SQUARE 3037000500";
    const REQUESTS: [(&str, Option<&str>); 2] =
        [(BIG, Some("9223372037000250000")), ("SQUARE 2", Some("4"))];
    with_server(|addr| async move {
        let mut client = Client::connect(addr).await?;
        client.send(&format!("{BIG}\nSQUARE 2\n")).await?;
        let (got, gone) = client.lines(REQUESTS.len(), ANSWER_WAIT).await;
        let closed = matches!(&gone, Some(Gone::Closed { partial }) if partial.is_empty());
        if closed && got.is_empty() {
            // Closed without a word. Does a small number alone get through?
            let mut small = Client::connect(addr).await?;
            small.send("SQUARE 2\n").await?;
            if small.line(ANSWER_WAIT).await.is_ok_and(|line| line == "4") {
                return Err(problem(
                    format!(
                        "the server closed the connection without answering {}, while it \
                         answers `SQUARE 2` on a new connection: the big number ended the \
                         connection. Its square, 9223372037000250000, does not fit in an i64: \
                         an i64 multiplication overflows, which panics in a debug build and \
                         ends the connection's task (look above for `attempt to multiply with \
                         overflow`).",
                        quote(BIG)
                    ),
                    "compute the square in a wider type: `i128::from(n) * i128::from(n)`.",
                )
                .cause(Cause::ArithmeticOverflow));
            }
        }
        if closed && got.len() == 1 {
            return Err(problem(
                format!(
                    "after answering the first request ({}), the server closed the connection \
                     without answering the second one, sent on the same connection.",
                    quote(&got[0])
                ),
                "a connection carries requests until the client closes it: loop over the \
                 lines (`while let Some(line) = lines.next_line().await? {...}`).",
            ));
        }
        if let Some(p) = lost_lines(&mut client, &REQUESTS, &got, &gone).await {
            return Err(p);
        }
        judge::pipelined(&REQUESTS, &got, gone, false)
    });
}

/// After some of the lines sent in one write were answered and then nothing
/// came: whether a line sent on its own now gets its answer. If it does, the
/// unanswered lines were read and then lost (a buffer that read ahead was
/// thrown away), not left waiting.
async fn lost_lines(
    client: &mut Client,
    requests: &[(&str, Option<&str>)],
    got: &[String],
    gone: &Option<Gone>,
) -> Option<Problem> {
    const PROBE: &str = "SQUARE 5";
    let silent = matches!(gone, Some(Gone::Silent { partial, .. }) if partial.is_empty());
    // Only when every answer so far was right: the lines were read as sent.
    let right = requests
        .iter()
        .zip(got)
        .all(|((_, want), line)| judge::fits(*want, line));
    if got.is_empty() || got.len() >= requests.len() || !silent || !right {
        return None;
    }
    client.send(&format!("{PROBE}\n")).await.ok()?;
    let line = client.line(ANSWER_WAIT).await.ok()?;
    if line != "25" {
        return None;
    }
    let sent: Vec<String> = requests.iter().map(|(r, _)| quote(r)).collect();
    let answered = match got.len() {
        1 => "the first was answered".to_string(),
        k => format!("the first {k} were answered"),
    };
    let lost: Vec<String> = requests[got.len()..]
        .iter()
        .map(|(r, _)| quote(r))
        .collect();
    Some(
        problem(
            format!(
                "{} requests were sent in one write ({}); {answered}, then nothing for {}. \
                 Then {} sent on its own got its answer at once, `25`: the server was \
                 listening, but {} had been read and then lost. A buffered reader reads ahead: \
                 the bytes after the first line wait in its buffer, and a reader dropped after \
                 one line drops them with it. Most likely a `BufReader` created anew for each \
                 request.",
                requests.len(),
                sent.join(", "),
                fmt_duration(ANSWER_WAIT),
                quote(PROBE),
                lost.join(", ")
            ),
            "create the `BufReader` once per connection, before the loop, and read every line \
             through that one reader: `let mut lines = BufReader::new(reader).lines();` then \
             `while let Some(line) = lines.next_line().await? { ... }`.",
        )
        .candidates([Cause::ResourcePerCall]),
    )
}

#[test]
fn answers_come_in_the_order_of_the_requests() {
    // A valid line, then bad lines, in one write. A bad line is answered at
    // once, a valid one after DB_DELAY: a server that handles a connection's
    // lines concurrently sends the ERR answers first, every time (they would
    // have to be held up for the whole 100 ms of DB_DELAY to come in order).
    // (One valid line: a correct server answers them all within one
    // DB_DELAY.)
    const LINES: [(&str, Option<&str>); 3] = [
        ("SQUARE 7", Some("49")),
        ("HELLO", None),
        ("SQUARE 1 2", None),
    ];
    with_server(|addr| async move {
        let mut client = Client::connect(addr).await?;
        let all: String = LINES.iter().map(|(line, _)| format!("{line}\n")).collect();
        let sent = Instant::now();
        client.send(&all).await?;
        let (got, gone) = client.lines(LINES.len(), ANSWER_WAIT).await;
        if let Some(p) = lost_lines(&mut client, &LINES, &got, &gone).await {
            return Err(p);
        }
        judge::pipelined(&LINES, &got, gone, true)
            .map_err(|p| judge::with_answer_times(p, &LINES, &got, sent, &client.arrivals))
    });
}

#[test]
fn a_bad_line_gets_an_error_and_the_connection_stays_open() {
    const NEXT: &str = "CUBE 3";
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
        // The next line is a bad one too: its answer shows the connection
        // is still served, without waiting for DB_DELAY. (Valid requests
        // after a bad line: `answers_come_in_the_order_of_the_requests`.)
        client.send(&format!("{NEXT}\n")).await?;
        match client.line(ANSWER_WAIT).await {
            Ok(line) if line.starts_with("ERR ") && !line[4..].trim().is_empty() => Ok(()),
            Ok(line) => Err(problem(
                format!(
                    "after the `ERR` answer to `HELLO`, the next line, {} (a bad line too), got \
                     the answer {}, expected `ERR <reason>`.",
                    quote(NEXT),
                    quote(&line)
                ),
                "after an `ERR` answer, keep serving the same connection: answer every bad line \
                 with `ERR <reason>`.",
            )),
            Err(Gone::Closed { partial }) if partial.is_empty() => Err(problem(
                format!(
                    "after answering `ERR` to the bad line `HELLO`, the server closed the \
                     connection, so the next line, {}, got no answer.",
                    quote(NEXT)
                ),
                "a bad line is the client's mistake, not the end of the conversation: answer \
                 `ERR <reason>` and go on reading lines.",
            )),
            Err(gone) => Err(gone.problem(NEXT)),
        }
    });
}

#[test]
fn two_clients_are_served_at_the_same_time() {
    with_server(|addr| async move {
        let start = Instant::now();
        let mut first = Client::connect(addr).await?;
        let sent_1 = Instant::now();
        first.send("SQUARE 2\n").await?;
        // The second client asks at once, while the first waits for its
        // answer and then stays connected, idle: a correct server answers
        // both one DB_DELAY later. (The first connected first, so even a
        // server that takes one connection at a time takes it first.)
        let mut second = Client::connect(addr).await?;
        let sent_2 = Instant::now();
        second.send("SQUARE 3\n").await?;
        let got = first.answer("SQUARE 2", ANSWER_WAIT).await?;
        let answered_1 = Instant::now();
        expect_answer("SQUARE 2", &got, "4", "answer with the square alone.")?;
        match second.line(SECOND_CLIENT_WAIT).await {
            Ok(line) => expect_answer("SQUARE 3", &line, "9", "answer with the square alone.")?,
            Err(Gone::Silent { partial, .. }) if partial.is_empty() => {
                // Client 1 connected throughout; each request from when it
                // was sent to its answer (request 2: none came).
                let now = Instant::now();
                let seen = timeline(
                    SEEN,
                    start,
                    &[
                        ("client 1", &[(start, now)]),
                        ("request 1", &[(sent_1, answered_1)]),
                        ("request 2", &[]),
                    ],
                )
                .mark("request 2 sent", sent_2 - start)
                .mark("grader gave up", now - start);
                let answered_2 = sent_2 + DB_DELAY;
                let correct = timeline(
                    CORRECT,
                    start,
                    &[
                        ("client 1", &[(start, answered_2)]),
                        ("request 1", &[(sent_1, sent_1 + DB_DELAY)]),
                        ("request 2", &[(sent_2, answered_2)]),
                    ],
                )
                .mark("request 2 sent", sent_2 - start);
                return Err(problem(
                    format!(
                        "a second client got no answer within {} while the first client stayed \
                         connected (it got its own answer, then stayed idle): the server serves \
                         one connection at a time.",
                        fmt_duration(now - sent_2)
                    ),
                    "in the accept loop, `tokio::spawn` a task per connection and go straight \
                     back to `accept`; awaiting the connection's handler right there makes \
                     every other client wait until that one disconnects.",
                )
                .with_picture(seen, correct)
                .candidates([
                    Cause::Sequential,
                    Cause::LockHeldWhileWaiting,
                    Cause::BlockingInAsync,
                ]));
            }
            Err(gone) => return Err(gone.problem("SQUARE 3")),
        }
        drop(first);
        Ok(())
    });
}

#[test]
fn shutdown_ends_serve() {
    let outcome = real_clock(WATCHDOG, hung(), || async {
        let start = Instant::now();
        // (Bound without the gate: only this test closes a listener and
        // looks at its port afterwards.)
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = serve(listener, async move {
            let _ = stopped.await;
        });
        tokio::pin!(server);
        // A client that got its answer and stays connected, idle. (A bad
        // line: its answer shows the connection is served, without waiting
        // for DB_DELAY.)
        let script = async {
            let connected = Instant::now();
            let mut client = Client::connect(addr).await?;
            client.send("HELLO\n").await?;
            let got = client.answer("HELLO", ANSWER_WAIT).await?;
            if !got.starts_with("ERR") {
                return Err(problem(
                    format!(
                        "`HELLO` got the answer {}, expected `ERR <reason>`.",
                        quote(&got)
                    ),
                    "answer a bad line with `ERR ` and the reason `parse_request` gives.",
                ));
            }
            Ok::<_, Problem>((client, connected))
        };
        let (idle, connected) = tokio::select! {
            biased;
            ended = &mut server => return Err(served_too_short(ended)),
            client = script => client?,
        };
        // From here until the port is found closed, no other test binds.
        let _alone = GATE.write().await;
        let stopped_at = Instant::now();
        let _ = stop.send(());
        // `serve` from its start to `serve_end`, the listener (if seen) open
        // until `open_until`, the client connected throughout; a correct
        // serve returns, and closes its listener, at the shutdown.
        let pictures = |serve_end: Instant, open_until: Option<Instant>, end: Instant| {
            let open = open_until.map(|t| [(start, t)]);
            let ran = [(start, serve_end)];
            let mut seen = vec![("serve", &ran[..])];
            let closed = [(start, stopped_at)];
            let mut correct = vec![("serve", &closed[..])];
            if let Some(open) = &open {
                seen.push(("listener", &open[..]));
                correct.push(("listener", &closed[..]));
            }
            let idle = [(connected, end)];
            seen.push(("client", &idle[..]));
            correct.push(("client", &idle[..]));
            let shutdown = stopped_at - start;
            (
                timeline(SEEN, start, &seen).mark("shutdown", shutdown),
                timeline(CORRECT, start, &correct).mark("shutdown", shutdown),
            )
        };
        match tokio::time::timeout(SHUTDOWN_WAIT, &mut server).await {
            Err(_) => {
                let now = Instant::now();
                // Does `serve` still accept and serve a new client?
                let probe = async {
                    let mut late = Client::connect(addr).await.ok()?;
                    late.send("HELLO\n").await.ok()?;
                    late.line(SHUTDOWN_WAIT).await.ok()
                };
                let serving = tokio::select! {
                    biased;
                    _ = &mut server => false,
                    line = probe => line.is_some_and(|l| l.starts_with("ERR")),
                };
                let (seen, correct) = pictures(now, None, now);
                let seen = seen.mark("grader gave up", now - start);
                let waited = fmt_duration(SHUTDOWN_WAIT);
                let p = if serving {
                    problem(
                        format!(
                            "`serve` was still running {waited} after `shutdown` completed (one \
                             client was still connected, idle), and a new client that \
                             connected then was still served (its bad line got its `ERR`): the \
                             accept loop goes on after shutdown."
                        ),
                        "in the accept loop, `tokio::select!` between `&mut shutdown` and \
                         `listener.accept()`, and return `Ok(())` as soon as shutdown wins.",
                    )
                    .cause(Cause::NotCancelled)
                } else {
                    problem(
                        format!(
                            "`serve` was still running {waited} after `shutdown` completed (one \
                             client was still connected, idle), yet a new client that connected \
                             then got no answer to its bad line within {waited}: `serve` no \
                             longer serves new clients but waits for something, most likely the \
                             connection still open (a connection's handler awaited in the loop, \
                             or every open connection awaited after it)."
                        ),
                        "return `Ok(())` as soon as `shutdown` completes, without waiting for \
                         the open connections (a client may stay connected for hours): \
                         `tokio::spawn` each connection's handler, and never await them in \
                         `serve`.",
                    )
                    .candidates([
                        Cause::NotCancelled,
                        Cause::Sequential,
                        Cause::BlockingInAsync,
                        Cause::BusyLoop,
                    ])
                };
                return Err(p.with_picture(seen, correct));
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
        let returned = Instant::now();
        // The listener must be closed now (give a task-held one 0.5 s to go).
        // A connection from the port to itself (Linux's "self-connect", when
        // the kernel happens to pick the closed port as the client's own
        // port) does not count.
        let closing = Instant::now();
        while let Ok(stream) = TcpStream::connect(addr).await {
            if stream.local_addr().ok() == Some(addr) {
                break;
            }
            if closing.elapsed() > ms(500) {
                let now = Instant::now();
                let (seen, correct) = pictures(returned, Some(now), now);
                let seen = seen.mark("serve returned", returned - start);
                return Err(problem(
                    format!(
                        "`serve` returned, but {addr} still accepted new connections 0.5 s \
                         later: the listener is still open."
                    ),
                    "keep the listener in `serve`'s own loop (not in a task that outlives \
                     it), so returning from `serve` closes it.",
                )
                .with_picture(seen, correct)
                .cause(Cause::NotCancelled));
            }
            tokio::time::sleep(ms(20)).await;
        }
        drop(idle);
        Ok(())
    });
    outcome.unwrap_or_else(|p| p.fail());
}

#[test]
fn ten_thousand_clients_at_once() {
    if std::env::var_os(CHILD_ENV).is_some() {
        run_server_child();
        return;
    }
    // The child process inherits the raised limit.
    let mut clients = CLIENTS;
    if let Some(limit) = grading::raise_open_files_limit() {
        let room = usize::try_from(limit.saturating_sub(SPARE_FDS)).unwrap_or(usize::MAX);
        if room < CLIENTS {
            clients = room.max(load::IDLE + 10);
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
        // The server process binds its listener while no shutdown test looks
        // for a closed port (see [`GATE`]); then the load runs alongside the
        // small tests, which it does not disturb: every wait in either has a
        // limit many times what a correct server needs.
        let started = {
            let _listening = GATE.blocking_read();
            ServerProcess::start()
        };
        match started {
            Ok(mut server) => run_load(&mut server, &mut load),
            Err(p) => load.problem = Some(p),
        }
        load
    });
    judge::load(&load);
}
