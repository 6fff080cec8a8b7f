//! The judges: what the tests observed, turned into a verdict and a
//! diagnosis that says only what the evidence shows.

use std::time::{Duration, Instant};

use ex13::DB_DELAY;
use grading::{
    cores, count, fmt_duration, ms, preview_with, record_student_panic, Cause, Clock, Diagnosis,
    Timeline,
};

use crate::client::{problem, quote, Gone, Problem, CORRECT, SEEN};
use crate::load::{Load, Responsiveness, IDLE, PROBE_WAIT, QUICK};
use crate::procfs::SKIPPED;

/// Peak memory (VmHWM) allowed for the server process with all clients
/// connected. The reference peaks at about 26 MiB; with 8 KiB read buffers
/// (`BufReader::new`) a server needs about 95 MiB.
const MEMORY_LIMIT_MIB: u64 = 256;

/// Threads allowed in the server process: the runtime's workers (one per
/// core), the program's own few, and room to spare. A thread per connection
/// shows thousands.
pub fn thread_limit() -> usize {
    64.max(cores() + 32)
}

/// An answer as the messages quote a list of them.
fn answers(got: &[String]) -> String {
    preview_with(got, 6, |line| quote(line))
}

/// Whether `got` is the answer to a request whose right answer is `want`
/// (`None`: an `ERR <reason>` line).
pub fn fits(want: Option<&str>, got: &str) -> bool {
    match want {
        Some(square) => got == square,
        None => got
            .strip_prefix("ERR ")
            .is_some_and(|r| !r.trim().is_empty()),
    }
}

fn describe(want: Option<&str>) -> String {
    want.map_or_else(|| "`ERR <reason>`".to_string(), quote)
}

/// Pairs every answer with a distinct request it fits, if it can be done.
fn is_permutation(requests: &[(&str, Option<&str>)], got: &[String]) -> bool {
    if got.len() != requests.len() {
        return false;
    }
    let mut free: Vec<bool> = vec![true; requests.len()];
    got.iter().all(|line| {
        let slot = requests
            .iter()
            .enumerate()
            .position(|(k, (_, want))| free[k] && fits(*want, line));
        slot.map(|k| free[k] = false).is_some()
    })
}

/// Adds to a problem about the order of the answers (every answer came, in
/// another order) the picture of when each came: one lane per request, from
/// the write that sent them all to its answer, above a server that answers
/// them one after another (a valid one after DB_DELAY, a bad one at once).
/// Other problems (wrong or missing answers) are about values: unchanged.
pub fn with_answer_times(
    p: Problem,
    requests: &[(&str, Option<&str>)],
    got: &[String],
    sent: Instant,
    arrivals: &[Instant],
) -> Problem {
    if got.len() != requests.len() || arrivals.len() != got.len() || !is_permutation(requests, got)
    {
        return p;
    }
    // Each answer goes to the first request it fits that has none yet.
    let mut answered: Vec<Option<Instant>> = vec![None; requests.len()];
    for (line, &at) in got.iter().zip(arrivals) {
        if let Some(k) =
            (0..requests.len()).find(|&k| answered[k].is_none() && fits(requests[k].1, line))
        {
            answered[k] = Some(at);
        }
    }
    let at = |t: Instant| t.saturating_duration_since(sent);
    let mut seen = Timeline::new(SEEN, Clock::Real);
    let mut correct = Timeline::new(CORRECT, Clock::Real);
    let mut done = Duration::ZERO;
    for ((request, want), answered) in requests.iter().zip(answered) {
        let span: Vec<_> = answered
            .map(|t| (Duration::ZERO, at(t)))
            .into_iter()
            .collect();
        seen = seen.lane(request, &span);
        if want.is_some() {
            done += DB_DELAY;
        }
        correct = correct.lane(request, &[(Duration::ZERO, done)]);
    }
    p.with_picture(seen, correct)
}

/// The hint when a valid request got `ERR`: the server did not read the
/// line as it was sent.
const NOT_SEEN_ALONE: &str = "this is a valid request, so the server did not read this line as \
    it was sent. The requests were sent in ONE write: a server must cut what it reads at each \
    `\\n`, however the bytes arrive (`BufReader` + `lines()`), and answer the lines one by \
    one, in order. (With `read_line`, clear the String before each call: it appends.)";

/// The hint when a valid request sent on its own got `ERR`.
pub const NOT_READ_AS_SENT: &str = "this is a valid request, so the server did not read this \
    line as it was sent: it read it together with other bytes (cut what you read at each \
    `\\n`: `BufReader` + `lines()`), or added it to the line before (`read_line` appends to \
    its String: clear it before each call).";

/// The answers to several requests sent in one write, in the order they came
/// (`gone`: why the next one did not come). Checks that each request got its
/// answer and, when `in_order`, that they came in the order of the requests.
pub fn pipelined(
    requests: &[(&str, Option<&str>)],
    got: &[String],
    gone: Option<Gone>,
    in_order: bool,
) -> Result<(), Problem> {
    let sent: Vec<String> = requests.iter().map(|(r, _)| quote(r)).collect();
    let sent = sent.join(", ");
    if !in_order && is_permutation(requests, got) {
        return Ok(());
    }
    if got.len() == requests.len() && is_permutation(requests, got) {
        let in_order = requests
            .iter()
            .zip(got)
            .all(|((_, want), line)| fits(*want, line));
        if in_order {
            return Ok(());
        }
        // More ERR answers among the first p than bad lines among the first
        // p requests: a bad line was answered before a square sent ahead of it.
        let errors = |p: usize| got[..p].iter().filter(|line| fits(None, line)).count();
        let bad_lines = |p: usize| requests[..p].iter().filter(|(_, w)| w.is_none()).count();
        let overtaken = (1..=got.len()).any(|p| errors(p) > bad_lines(p));
        let why = if overtaken {
            " A bad line, which a server answers at once, was answered before a square sent \
             ahead of it, which waits for DB_DELAY: the server handles one connection's lines \
             concurrently (a task per line?), so a quick answer overtakes a slow one."
        } else {
            " The server handles one connection's lines concurrently (a task per line?), and \
             sends each answer when it is ready."
        };
        return Err(problem(
            format!(
                "{} requests were sent in one write: {sent}. The answers came back as {}: the \
                 right answers, in another order.{why} A client can only tell which answer is \
                 which by their order.",
                requests.len(),
                answers(got)
            ),
            "answer one connection's lines one after another: read a line, answer it (awaiting \
             the DB_DELAY right there, in the connection's task), then read the next. Spawn a \
             task per connection, not per line. (To overlap one connection's requests, \
             `StreamExt::buffered(n)` keeps their order; `buffer_unordered` does not.)",
        )
        .cause(Cause::WrongOrder));
    }
    // The first answer that does not fit its request.
    for (k, ((request, want), line)) in requests.iter().zip(got).enumerate() {
        if fits(*want, line) {
            continue;
        }
        let others_fine = got
            .iter()
            .enumerate()
            .all(|(j, l)| j == k || fits(requests[j].1, l));
        let alone = others_fine && got.len() == requests.len();
        let hint = match want {
            Some(square) => wider_type(request, square, line, alone).unwrap_or_else(|| {
                if line.starts_with("ERR") {
                    NOT_SEEN_ALONE.to_string()
                } else {
                    "answer each line with the square alone, e.g. `144\\n`, in the order of \
                     the lines."
                        .to_string()
                }
            }),
            None => "answer a line that is not a valid request with `ERR <reason>`.".to_string(),
        };
        return Err(problem(
            format!(
                "{} requests were sent in one write ({sent}); {} got the answer {}, expected \
                 {}.",
                requests.len(),
                quote(request),
                quote(line),
                describe(*want)
            ),
            hint,
        ));
    }
    match gone {
        Some(gone) => Err(gone.problem(requests[got.len()].0)),
        None => Ok(()),
    }
}

/// The hint for a square that came out wrong because it does not fit in an
/// i64: a wrapped value, or an `ERR` while every other line was answered
/// right (`alone`: so the line was read as sent).
fn wider_type(request: &str, square: &str, got: &str, alone: bool) -> Option<String> {
    let n: i64 = request.strip_prefix("SQUARE ")?.parse().ok()?;
    if i64::try_from(i128::from(n) * i128::from(n)).is_ok() {
        return None;
    }
    let wrapped = n.wrapping_mul(n).to_string();
    let what = if got == wrapped {
        "the multiplication wrapped around"
    } else if got.starts_with("ERR") && alone {
        "the request is valid all the same"
    } else {
        return None;
    };
    Some(format!(
        "{square} does not fit in an i64, and {what}: compute the square in a wider type, \
         `i128::from(n) * i128::from(n)`."
    ))
}

/// The diagnosis when the load test's answers do not all come in time, with
/// the one timing the grader has of them all: how long the answers took, as
/// one lane, against a concurrent server's DB_DELAY.
pub fn falling_behind(
    requests: usize,
    answered: usize,
    patience: Duration,
    seen: &Responsiveness,
) -> Problem {
    let lane = |title: &str, took: Duration| {
        Timeline::new(title, Clock::Real).lane("all answers", &[(Duration::ZERO, took)])
    };
    let observed =
        lane(SEEN, patience).mark(&format!("{answered} of {requests} answered"), patience);
    diagnose_falling_behind(requests, answered, patience, seen)
        .with_picture(observed, lane(CORRECT, DB_DELAY))
}

fn diagnose_falling_behind(
    requests: usize,
    answered: usize,
    patience: Duration,
    seen: &Responsiveness,
) -> Problem {
    let per_delay = answered as f64 * DB_DELAY.as_secs_f64() / patience.as_secs_f64();
    let rate = if per_delay < 0.5 {
        "fewer than one per 100 ms".to_string()
    } else {
        format!("about {per_delay:.0} per 100 ms")
    };
    let observed = format!(
        "the server falls behind: of {requests} requests sent at once (one per connection), \
         {answered} had their answer {} after the last was sent ({rate}); a server that serves \
         them concurrently answers them all about DB_DELAY (100 ms) after they arrive.",
        fmt_duration(patience)
    );
    if let Some(n) = seen.workers_in_sleep.filter(|&n| n > 0) {
        return problem(
            format!(
                "{observed} Meanwhile the grader looked at the server's runtime worker threads \
                 (named tokio-rt-worker) and found {} at once inside a sleep system call \
                 (`nanosleep`): a tokio worker waits for work in `epoll_wait`, never there. So \
                 something calls `std::thread::sleep` (or another blocking sleep) inside async \
                 code, and holds a worker thread for each request's whole DB_DELAY: with {} in \
                 the server's runtime, that makes at most {} per 100 ms.",
                count(n, "thread"),
                count(cores(), "worker thread"),
                count(cores(), "answer")
            ),
            "spawn a task per connection (`tokio::spawn`), and inside it only await: \
             `tokio::time::sleep(DB_DELAY).await` waits without holding a thread; \
             `std::thread::sleep` stalls every task queued on that worker thread.",
        )
        .cause(Cause::BlockingInAsync);
    }
    if seen.quick() {
        let slowest = seen
            .answered_after
            .iter()
            .max()
            .copied()
            .unwrap_or_default();
        let slowest = if slowest < ms(1) {
            "under 1 ms".to_string()
        } else {
            fmt_duration(slowest)
        };
        return problem(
            format!(
                "{observed} Meanwhile the server stayed responsive: {IDLE} bad lines sent then, \
                 one after another, on idle connections were each answered within {} (the \
                 slowest in {slowest}). So no thread was blocked: the requests were serialised, each \
                 one waiting for the one before it to finish its DB_DELAY ({rate}, one at a \
                 time, whatever the number of cores). Something lets only one request at a time \
                 through: a lock held across `.await` (a `tokio::sync::Mutex` guard kept over \
                 the sleep), or one task or channel that handles every request in turn.",
                fmt_duration(QUICK),
            ),
            "let the requests wait for their DB_DELAY at the same time: never hold a lock (or \
             any shared one-at-a-time resource) across the `.await` of the sleep. If requests \
             must share state, lock it only around the lines that touch it, with no `.await` in \
             between.",
        )
        .candidates([Cause::LockHeldWhileWaiting, Cause::Sequential]);
    }
    let slow = match seen.answered_after.last() {
        Some(&took) if !seen.unanswered => {
            format!("got its answer only after {}", fmt_duration(took))
        }
        _ => format!("got no answer within {}", fmt_duration(PROBE_WAIT)),
    };
    problem(
        format!(
            "{observed} Meanwhile a bad line sent on an idle connection {slow}, although a \
             server answers a bad line at once: its threads were busy (or the machine was). \
             Either something blocks inside async code (a `std::net` socket? a long \
             computation?) and holds a worker thread for each request's whole DB_DELAY: with \
             {} in the server's runtime, that makes at most {} per 100 ms; or even bad lines \
             wait their turn behind one lock held across `.await`.",
            count(cores(), "worker thread"),
            count(cores(), "answer")
        ),
        "spawn a task per connection (`tokio::spawn`), and inside it only await: \
         `tokio::time::sleep(DB_DELAY).await` waits without holding a thread; \
         `std::thread::sleep` or other blocking calls stall every task queued on that worker \
         thread.",
    )
    .candidates([
        Cause::BlockingInAsync,
        Cause::LockHeldWhileWaiting,
        Cause::BusyLoop,
    ])
}

/// The load test's verdict, most telling first.
pub fn load(load: &Load) {
    let n = load.clients;
    let limit = thread_limit();
    // A thread per connection comes first: it explains everything after it
    // (threads that could not be created, a server that ran out of memory).
    if load.peak_threads > limit {
        Diagnosis::new(format!(
            "the server ran {} threads for {n} connections: a thread per connection. A task \
             waiting for its client costs a few hundred bytes; a thread costs a stack and a \
             place in the OS scheduler, and thousands of them are the C10k problem.",
            load.peak_threads
        ))
        .cause(Cause::ThreadPerTask)
        .advice(
            "spawn a tokio task per connection (`tokio::spawn`) with async reads, writes and \
             `tokio::time::sleep`, instead of `std::thread::spawn` or `spawn_blocking` per \
             connection.",
        )
        .fail();
    }
    if let Some(panic) = &load.first_panic {
        let (location, text) = panic.split_once('\t').unwrap_or(("", panic));
        let file = location.rsplit_once("../").map_or(location, |(_, f)| f);
        Diagnosis::new(format!(
            "{}\n(in the server process, at {file})",
            record_student_panic(&text.to_string()).trim()
        ))
        .fail();
    }
    if let Some(p) = &load.problem {
        p.diagnosis().fail();
    }
    let report = format!(
        "{n} clients connected at once in {}; all answered {} after the last request was sent",
        fmt_duration(load.connect_time),
        fmt_duration(load.answer_time)
    );
    if !load.observed {
        println!("{report}.\n{SKIPPED}");
        return;
    }
    let mib = load.peak_memory_kib / 1024;
    if mib >= MEMORY_LIMIT_MIB {
        Diagnosis::new(format!(
            "the server process reached {mib} MiB of memory (VmHWM) with {n} clients \
             connected; the limit is {MEMORY_LIMIT_MIB} MiB."
        ))
        .advice(
            "keep per-connection state small: a small read buffer (`BufReader::with_capacity`), \
             no big per-connection allocations.",
        )
        .fail();
    }
    println!(
        "{report}; the server process ran at most {} threads and peaked at {mib} MiB.",
        load.peak_threads
    );
}
