//! Graded suite for exercise 9 (as completed, streams and async resources).
//!
//! Everything runs on tokio's paused clock: a "5 s" job costs microseconds of
//! real time and every instant is exact. The student's code gets probes:
//! - jobs that log when they start and finish, and how many run at once;
//! - a pretend paged API that logs which page is fetched, when, and how many
//!   fetches are in flight at once;
//! - closures that log what they see of the pool while they hold a connection.
//!
//! A stream that stops yielding, or users that wait forever for a connection,
//! are caught on the paused clock (the grader gives up after [`GIVE_UP`] of
//! tokio time, which costs no real time); a blocked thread by the real-time
//! watchdog.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use ex09::{as_completed, paged, with_connection, Connection, Page, Pool, FIRST_PAGE};
use futures::{FutureExt, Stream, StreamExt};
use grading::{check, fail, fmt_duration, paused};
use tokio::time::{sleep, timeout, timeout_at, Instant};

/// Real time any test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds.
const WATCHDOG: Duration = Duration::from_secs(3);
/// Tokio time after which the grader stops waiting for a stream's next item
/// or for users of the pool. Costs no real time on the paused clock.
const GIVE_UP: Duration = Duration::from_secs(1000);
/// Slack for tokio's 1 ms timer resolution.
const SLACK: Duration = Duration::from_millis(5);
/// How long the pretend API takes to serve a page.
const FETCH_TIME: Duration = Duration::from_secs(1);

const BLOCKED: &str = "Your code gave no answer within 3 s of real time, although on the \
    paused clock tokio's timers cost none: something blocks the thread or spins \
    (`std::thread::sleep`, a busy loop, `futures::executor::block_on` inside async code, a \
    std `Mutex` guard held across an `.await`).\n\
    Try: let tokio do the waiting: `.await` futures and streams, never block the thread.";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// `3.0 s`, `250 ms`, and `1.005 s` where one decimal would round.
fn show(d: Duration) -> String {
    if d >= secs(1) && !d.subsec_millis().is_multiple_of(100) {
        format!("{:.3} s", d.as_secs_f64())
    } else {
        fmt_duration(d)
    }
}

/// At most `shown` items of a list, so a long mismatch stays readable.
fn preview<T: Debug>(items: &[T], shown: usize) -> String {
    if items.len() <= shown {
        return format!("{items:?}");
    }
    let head: Vec<String> = items[..shown].iter().map(|x| format!("{x:?}")).collect();
    format!("[{}, …] ({} in all)", head.join(", "), items.len())
}

/// Tokio's clock, counted from the start of a test.
#[derive(Clone, Copy)]
struct Clock(Instant);

impl Clock {
    /// Must be called inside the runtime, at the moment that counts as 0.
    fn start() -> Self {
        Clock(Instant::now())
    }

    fn now(self) -> Duration {
        self.0.elapsed()
    }

    fn give_up(self) -> Instant {
        self.0 + GIVE_UP
    }
}

/// How consuming a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The stream yielded `None` at this time.
    Ended(Duration),
    /// The stream yielded nothing more for [`GIVE_UP`] of tokio time.
    Stuck(Duration),
    /// The stream yielded more items than the grader was ready to take.
    TooMany,
}

/// Takes items from `stream` until it ends, gets stuck, or has yielded more
/// than `max` items; each item with the time it came out.
async fn drain<S: Stream>(stream: S, clock: Clock, max: usize) -> (Vec<(S::Item, Duration)>, End) {
    let mut stream = pin!(stream);
    let mut got = Vec::new();
    loop {
        match timeout_at(clock.give_up(), stream.next()).await {
            Ok(Some(item)) => {
                got.push((item, clock.now()));
                if got.len() > max {
                    return (got, End::TooMany);
                }
            }
            Ok(None) => return (got, End::Ended(clock.now())),
            Err(_) => return (got, End::Stuck(clock.now())),
        }
    }
}

// ---------------------------------------------------------------------------
// Part 1: as_completed. The jobs are probes that log their start and finish.

fn output(i: usize) -> String {
    format!("job {i} done")
}

#[derive(Debug, Clone, Copy, Default)]
struct JobLog {
    started: Option<Duration>,
    finished: Option<Duration>,
}

struct Jobs {
    clock: Clock,
    logs: RefCell<Vec<JobLog>>,
    running: Cell<usize>,
    peak: Cell<usize>,
}

impl Jobs {
    fn new(clock: Clock, n: usize) -> Rc<Self> {
        Rc::new(Jobs {
            clock,
            logs: RefCell::new(vec![JobLog::default(); n]),
            running: Cell::new(0),
            peak: Cell::new(0),
        })
    }

    /// Job `i`: waits `delay`, then returns `output(i)`.
    fn job(self: &Rc<Self>, i: usize, delay: Duration) -> impl Future<Output = String> {
        let jobs = Rc::clone(self);
        async move {
            jobs.logs.borrow_mut()[i].started = Some(jobs.clock.now());
            jobs.running.set(jobs.running.get() + 1);
            jobs.peak.set(jobs.peak.get().max(jobs.running.get()));
            sleep(delay).await;
            jobs.running.set(jobs.running.get() - 1);
            jobs.logs.borrow_mut()[i].finished = Some(jobs.clock.now());
            output(i)
        }
    }
}

/// One run of `as_completed` over probe jobs.
struct Race {
    delays: Vec<Duration>,
    /// (index, output, time it came out of the stream)
    got: Vec<(usize, String, Duration)>,
    end: End,
    logs: Vec<JobLog>,
    peak: usize,
}

#[track_caller]
fn race(delays_ms: &[u64]) -> Race {
    let delays: Vec<Duration> = delays_ms.iter().map(|&d| ms(d)).collect();
    paused(WATCHDOG, BLOCKED, move || async move {
        let clock = Clock::start();
        let lab = Jobs::new(clock, delays.len());
        let jobs: Vec<_> = delays
            .iter()
            .enumerate()
            .map(|(i, &d)| lab.job(i, d))
            .collect();
        let (got, end) = drain(as_completed(jobs), clock, delays.len()).await;
        let got = got.into_iter().map(|((i, out), at)| (i, out, at)).collect();
        let logs = lab.logs.borrow().clone();
        Race {
            delays,
            got,
            end,
            logs,
            peak: lab.peak.get(),
        }
    })
}

/// "as_completed(jobs of 3.0 s, 1.0 s and 2.0 s)", or a summary for many jobs.
fn describe_jobs(delays: &[Duration]) -> String {
    const SHOWN: usize = 6;
    let what = match delays {
        [] => "no jobs".to_string(),
        [d] => format!("one job of {}", show(*d)),
        _ if delays.len() > SHOWN => {
            let min = delays.iter().copied().min().unwrap_or_default();
            let max = delays.iter().copied().max().unwrap_or_default();
            format!("{} jobs of {} to {}", delays.len(), show(min), show(max))
        }
        _ => {
            let parts: Vec<String> = delays.iter().map(|&d| show(d)).collect();
            let (last, rest) = parts.split_last().expect("at least two delays");
            format!("jobs of {} and {last}", rest.join(", "))
        }
    };
    format!("as_completed({what})")
}

/// The indices of the results, in the order they came out.
fn indices(r: &Race) -> Vec<usize> {
    r.got.iter().map(|&(i, _, _)| i).collect()
}

/// Every result names a real job and carries that job's own output.
fn judge_pairs(r: &Race) {
    let what = describe_jobs(&r.delays);
    let n = r.delays.len();
    if let Some(&(i, _, _)) = r.got.iter().find(|&&(i, _, _)| i >= n) {
        fail!(
            "{what} yielded index {i}, but there are only {n} jobs: the index is the job's \
             position in `jobs`.";
            try = "attach each job's index before the jobs race: \
                   `jobs.into_iter().enumerate().map(|(i, job)| async move {{ (i, job.await) }})`."
        );
    }
    let wrong: Vec<&(usize, String, Duration)> = r
        .got
        .iter()
        .filter(|(i, out, _)| *out != output(*i))
        .collect();
    if let Some(&(i, out, _)) = wrong.first() {
        let outputs: Vec<&str> = r.got.iter().map(|(_, out, _)| out.as_str()).collect();
        if indices(r).into_iter().eq(0..r.got.len()) {
            fail!(
                "{what} yielded the indices {} with the outputs {}: the index counts the results \
                 in the order they came out, instead of naming the job each one came from \
                 (its position in `jobs`).",
                preview(&indices(r), 6),
                preview(&outputs, 6);
                try = "attach each job's index before the jobs race: \
                       `jobs.into_iter().enumerate().map(|(i, job)| async move {{ (i, job.await) }})`, \
                       not `.enumerate()` on the stream of results."
            );
        }
        fail!(
            "{what} yielded ({i}, {out:?}), but job {i} returns {:?}: each output must come with \
             the index of its own job.",
            output(*i);
            try = "pair each job with its index before the jobs race: \
                   `async move {{ (i, job.await) }}`."
        );
    }
}

/// The stream yields one result per job, then ends.
fn judge_complete(r: &Race) {
    let what = describe_jobs(&r.delays);
    let n = r.delays.len();
    let k = r.got.len();
    let mut seen = vec![false; n];
    for &(i, _, _) in &r.got {
        check!(
            !seen[i],
            "{what} yielded job {i}'s result twice: each job runs once and comes out once.";
            try = "put each job in the set once, and yield each output once."
        );
        seen[i] = true;
    }
    match r.end {
        End::TooMany => fail!(
            "{what} yielded more than {n} results for {n} jobs.";
            try = "yield exactly one (index, output) per job, then end the stream."
        ),
        End::Stuck(t) => fail!(
            "{what} yielded {k} of {n} results, then nothing more, and did not end: after {} of \
             (virtual) time the grader stopped waiting. The stream waits for something that \
             never comes.",
            show(t);
            try = "end the stream (yield `None`) once every job is done; a `FuturesUnordered` does \
                   that by itself."
        ),
        End::Ended(_) => {
            let missing: Vec<usize> = (0..n).filter(|&i| !seen[i]).collect();
            check!(
                missing.is_empty(),
                "{what} ended after {k} of {n} results: jobs {} never came out.",
                preview(&missing, 6);
                try = "yield one (index, output) for every job before ending the stream."
            );
        }
    }
}

/// Every job started at once, when the stream was first polled.
fn judge_concurrency(r: &Race) {
    let what = describe_jobs(&r.delays);
    let late = r
        .logs
        .iter()
        .enumerate()
        .find(|(_, log)| log.started.is_none_or(|s| s > SLACK));
    let Some((j, log)) = late else { return };
    let when = log.started.map_or("was never started".to_string(), |s| {
        format!("started only at {}", show(s))
    });
    if r.peak <= 1 {
        fail!(
            "{what} ran the jobs one at a time: job {j} {when}, after the jobs before it were \
             done, so the stream took the sum of the delays instead of the longest.";
            try = "start every job before waiting for any: put them all in a \
                   `futures::stream::FuturesUnordered` (not `.then(...)` or an `.await` in a loop)."
        );
    }
    fail!(
        "{what} ran at most {} jobs at once: job {j} {when}, waiting for a free slot.",
        r.peak;
        try = "run every job at once: a `FuturesUnordered` of all of them, or \
               `buffer_unordered(n)` with n = the number of jobs, not a fixed limit."
    );
}

/// Results come out in completion order, each the moment its job finished.
fn judge_order(r: &Race) {
    let what = describe_jobs(&r.delays);
    let order = indices(r);
    // Every job started at 0 (judge_concurrency), so job i finished at delays[i].
    let done = |i: usize| r.delays[i];
    let in_completion_order = order.windows(2).all(|w| done(w[0]) <= done(w[1]));
    let last_out = r.got.last().map_or(Duration::ZERO, |&(_, _, at)| at);
    let all_at_the_end = r.got.iter().all(|&(_, _, at)| at + SLACK >= last_out);
    if !in_completion_order {
        let mut expected: Vec<usize> = (0..r.delays.len()).collect();
        expected.sort_by_key(|&i| (done(i), i));
        if order.iter().copied().eq(0..r.delays.len()) {
            let how = if all_at_the_end {
                format!(
                    "all of them at {}: it waited for every job, then gave the results in input \
                     order, like `join_all`",
                    show(last_out)
                )
            } else {
                "in input order".to_string()
            };
            fail!(
                "{what} yielded the indices {}, {how}. As completed means the quickest job first: \
                 expected {}.",
                preview(&order, 8),
                preview(&expected, 8);
                try = "yield each result as soon as its job finishes: a \
                       `futures::stream::FuturesUnordered` yields in completion order."
            );
        }
        fail!(
            "{what} yielded the indices {}, not in the order the jobs finished: expected {}.",
            preview(&order, 8),
            preview(&expected, 8);
            try = "yield each result as soon as its job finishes: a \
                   `futures::stream::FuturesUnordered` yields in completion order."
        );
    }
    if let Some(&(i, _, at)) = r.got.iter().find(|&&(i, _, at)| at > done(i) + SLACK) {
        if all_at_the_end && r.got.len() > 1 {
            fail!(
                "{what} yielded the results in completion order, but all of them at {}, when the \
                 slowest job was done: job {i} finished at {} and was held back until then \
                 (collected first, sorted, then yielded?).",
                show(last_out),
                show(done(i));
                try = "yield each result the moment its job finishes, don't collect them first: \
                       the stream of a `FuturesUnordered` does that."
            );
        }
        fail!(
            "{what}: job {i} finished at {} but came out of the stream only at {}.",
            show(done(i)),
            show(at);
            try = "yield each result the moment its job finishes: a `FuturesUnordered`."
        );
    }
}

fn judge_race(r: &Race) {
    judge_pairs(r);
    judge_complete(r);
    judge_concurrency(r);
    judge_order(r);
    let longest = r.delays.iter().copied().max().unwrap_or_default();
    if let End::Ended(t) = r.end {
        check!(
            t <= longest + SLACK,
            "{} yielded every result, but the stream ended only at {}, after the last job \
             finished at {}.",
            describe_jobs(&r.delays),
            show(t),
            show(longest);
            try = "end the stream as soon as the last job is done."
        );
    }
}

#[test]
fn yields_in_completion_order() {
    let r = race(&[3000, 1000, 2000]);
    judge_race(&r);
    let got: Vec<(usize, Duration)> = r.got.iter().map(|&(i, _, at)| (i, at)).collect();
    let want = vec![(1, secs(1)), (2, secs(2)), (0, secs(3))];
    check!(
        got == want,
        "as_completed(jobs of 3.0 s, 1.0 s and 2.0 s) yielded (index, time) {got:?}, expected \
         {want:?}.";
        try = "run every job at once and yield each result when its job finishes."
    );
}

#[test]
fn jobs_all_start_at_once() {
    let r = race(&[1000, 1000, 1000, 1000]);
    judge_race(&r);
    check!(
        r.peak == 4,
        "as_completed(four jobs of 1.0 s) had at most {} jobs running at once, expected 4.",
        r.peak;
        try = "start every job before waiting for any: a `FuturesUnordered`."
    );
}

#[test]
fn each_output_comes_with_its_jobs_index() {
    let r = race(&[5000, 3000, 1000, 4000, 2000]);
    judge_race(&r);
}

#[test]
fn no_jobs_give_a_stream_that_ends_at_once() {
    let r = race(&[]);
    judge_race(&r);
    check!(
        r.got.is_empty() && r.end == End::Ended(Duration::ZERO),
        "as_completed(no jobs) yielded {} results and ended {:?}; expected no results and the \
         end at once.",
        r.got.len(),
        r.end;
        try = "an empty `FuturesUnordered` ends at once."
    );
}

#[test]
fn a_thousand_jobs_take_the_longest_delay() {
    // 1 ms to 1000 ms, each delay once, in a scrambled order (7919 is prime).
    let delays: Vec<u64> = (0..1000).map(|i| 1 + i * 7919 % 1000).collect();
    let r = race(&delays);
    judge_race(&r);
}

// ---------------------------------------------------------------------------
// Part 2: paged. A pretend API that logs its fetches.

type Reply = Result<Page<String>, String>;

fn page(items: &[&str], next: Option<u32>) -> (Vec<String>, Option<u32>) {
    (items.iter().map(|s| s.to_string()).collect(), next)
}

/// The pages an API serves: number -> items and next, or an error.
type Site = Vec<(u32, Result<(Vec<String>, Option<u32>), String>)>;

struct Api {
    clock: Clock,
    pages: HashMap<u32, Reply>,
    /// (page, time the fetch started), in the order fetches started.
    fetches: RefCell<Vec<(u32, Duration)>>,
    running: Cell<usize>,
    peak: Cell<usize>,
}

/// Counts a fetch as in flight from its first poll until it ends or is dropped.
struct InFlight(Rc<Api>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.running.set(self.0.running.get() - 1);
    }
}

impl Api {
    fn new(clock: Clock, site: &Site) -> Rc<Self> {
        let pages = site
            .iter()
            .map(|(number, reply)| {
                let reply = reply.clone().map(|(items, next)| Page { items, next });
                (*number, reply)
            })
            .collect();
        Rc::new(Api {
            clock,
            pages,
            fetches: RefCell::new(Vec::new()),
            running: Cell::new(0),
            peak: Cell::new(0),
        })
    }

    /// Serves one page after [`FETCH_TIME`].
    async fn serve(self: Rc<Self>, number: u32) -> Reply {
        self.fetches.borrow_mut().push((number, self.clock.now()));
        self.running.set(self.running.get() + 1);
        self.peak.set(self.peak.get().max(self.running.get()));
        let _in_flight = InFlight(Rc::clone(&self));
        sleep(FETCH_TIME).await;
        self.pages
            .get(&number)
            .cloned()
            .unwrap_or_else(|| Err(format!("there is no page {number}")))
    }

    fn fetched(&self) -> Vec<u32> {
        self.fetches.borrow().iter().map(|&(p, _)| p).collect()
    }

    fn next_of(&self, number: u32) -> Option<Option<u32>> {
        match self.pages.get(&number) {
            Some(Ok(page)) => Some(page.next),
            _ => None,
        }
    }
}

/// The student's stream over the pretend API.
fn stream_of(api: &Rc<Api>) -> impl Stream<Item = Result<String, String>> {
    let api = Rc::clone(api);
    paged(move |number| Rc::clone(&api).serve(number))
}

/// One full walk through a paged stream.
struct Walk {
    got: Vec<Result<String, String>>,
    end: End,
    fetched: Vec<u32>,
    peak: usize,
    /// The pages as the API serves them: number -> next, for the messages.
    next_of: HashMap<u32, Option<u32>>,
}

#[track_caller]
fn walk(site: Site, max: usize) -> Walk {
    paused(WATCHDOG, BLOCKED, move || async move {
        let clock = Clock::start();
        let api = Api::new(clock, &site);
        let (got, end) = drain(stream_of(&api), clock, max).await;
        let next_of = site
            .iter()
            .filter_map(|(n, _)| api.next_of(*n).map(|next| (*n, next)))
            .collect();
        Walk {
            got: got.into_iter().map(|(item, _)| item).collect(),
            end,
            fetched: api.fetched(),
            peak: api.peak.get(),
            next_of,
        }
    })
}

fn show_next(next: Option<u32>) -> String {
    match next {
        Some(n) => format!("next: Some({n})"),
        None => "next: None".to_string(),
    }
}

/// Checks the pages the stream fetched: the first page first, then each
/// page's `next`, nothing after the last page or after an error, one at a time.
fn judge_fetches(w: &Walk) {
    check!(
        w.peak <= 1,
        "paged(...) had {} fetches in flight at once (pages fetched: {}): it fetched pages \
         before the consumer needed them, and guessed their numbers.",
        w.peak,
        preview(&w.fetched, 8);
        try = "fetch one page at a time, the one the previous page names in `next`, when its \
               items are needed: `futures::stream::unfold` runs one step per item asked for."
    );
    let Some(&first) = w.fetched.first() else {
        fail!(
            "paged(...) never called `fetch` (the stream yielded {} items).",
            w.got.len();
            try = "fetch page `FIRST_PAGE` when the first item is asked for, then follow `next`."
        );
    };
    check!(
        first == FIRST_PAGE,
        "paged(...) fetched page {first} first; the first page is `FIRST_PAGE` ({FIRST_PAGE}).";
        try = "start with `fetch(FIRST_PAGE)`."
    );
    for pair in w.fetched.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        match w.next_of.get(&before) {
            // The fetch of `before` failed, or there is no such page.
            None => fail!(
                "paged(...) went on after the error: the fetch of page {before} failed, and the \
                 stream then fetched page {after} (pages fetched: {}).",
                preview(&w.fetched, 8);
                try = "yield the error once, then end the stream: after an `Err`, fetch nothing \
                       more (e.g. set the next page to `None`)."
            ),
            Some(None) => fail!(
                "paged(...) fetched page {after} after page {before}, but page {before} was the \
                 last one (next: None).";
                try = "end the stream after the page whose `next` is `None`."
            ),
            Some(Some(next)) => check!(
                after == *next,
                "paged(...) fetched page {after} after page {before}, but page {before} said \
                 {}: follow `next`, don't count the pages yourself.",
                show_next(Some(*next));
                try = "fetch exactly the page the previous page names in `next`."
            ),
        }
    }
}

/// Checks what the stream yielded against what it should have.
fn judge_items(w: &Walk, want: &[Result<&str, &str>]) {
    let want: Vec<Result<String, String>> = want
        .iter()
        .map(|r| r.map(str::to_string).map_err(str::to_string))
        .collect();
    let got = &w.got;
    if let End::Stuck(t) = w.end {
        fail!(
            "paged(...) yielded {}, then nothing more, and did not end: after {} of (virtual) \
             time the grader stopped waiting.",
            preview(got, 8),
            show(t);
            try = "end the stream (return `None` from the `unfold` step) after the last page."
        );
    }
    if got == &want {
        return;
    }
    let error_at = want.iter().position(Result::is_err);
    if let Some(e) = error_at {
        if got.len() > e && got[..=e] == want[..=e] {
            fail!(
                "paged(...) went on after the error: it yielded {} (expected {}, then the end).",
                preview(got, 4),
                preview(&want, 4);
                try = "after yielding an `Err`, end the stream: fetch nothing more."
            );
        }
        if got.as_slice() == &want[..e] {
            fail!(
                "paged(...) yielded {} and ended without yielding the error: the fetch of page \
                 {} failed with {:?}, and the consumer must hear about it.",
                preview(got, 8),
                w.fetched.last().copied().unwrap_or(FIRST_PAGE),
                want[e].as_ref().err().map_or("", String::as_str);
                try = "yield the fetch's error as one `Err(error)` item, then end the stream \
                       (don't turn it into the end with `.ok()?` or `?`)."
            );
        }
    }
    if got.len() < want.len() && want.starts_with(got) {
        let last = w.fetched.last().copied().unwrap_or(FIRST_PAGE);
        if let Some(Some(next)) = w.next_of.get(&last) {
            fail!(
                "paged(...) yielded {} and ended after page {last}, but page {last} said {}: \
                 the stream ended too early (an empty page is not the last page).",
                preview(got, 8),
                show_next(Some(*next));
                try = "end only after a page whose `next` is `None`; an empty page with a \
                       `next` just means: fetch on."
            );
        }
    }
    fail!(
        "paged(...) yielded {}, expected {}.",
        preview(got, 8),
        preview(&want, 8);
        try = "yield `Ok(item)` for every item of every page in order, following `next`, then end."
    );
}

#[test]
fn yields_every_item_of_every_page_in_order() {
    let site: Site = vec![
        (1, Ok(page(&["a", "b", "c"], Some(2)))),
        (2, Ok(page(&["d", "e"], Some(3)))),
        (3, Ok(page(&["f"], None))),
    ];
    let w = walk(site, 20);
    judge_fetches(&w);
    judge_items(&w, &[Ok("a"), Ok("b"), Ok("c"), Ok("d"), Ok("e"), Ok("f")]);
}

#[test]
fn follows_the_next_page_number() {
    let site: Site = vec![
        (1, Ok(page(&["a", "b"], Some(7)))),
        (7, Ok(page(&["c", "d"], Some(3)))),
        (3, Ok(page(&["e"], Some(12)))),
        (12, Ok(page(&["f", "g"], None))),
    ];
    let w = walk(site, 20);
    judge_fetches(&w);
    let items = ["a", "b", "c", "d", "e", "f", "g"].map(Ok);
    judge_items(&w, &items);
}

#[test]
fn an_empty_page_does_not_end_the_stream() {
    let site: Site = vec![
        (1, Ok(page(&["a", "b"], Some(2)))),
        (2, Ok(page(&[], Some(3)))),
        (3, Ok(page(&["c"], None))),
    ];
    let w = walk(site, 20);
    judge_fetches(&w);
    judge_items(&w, &[Ok("a"), Ok("b"), Ok("c")]);
}

#[test]
fn the_stream_ends_after_the_last_page() {
    let site: Site = vec![(1, Ok(page(&["x", "y", "z"], None)))];
    let w = walk(site, 20);
    judge_fetches(&w);
    judge_items(&w, &[Ok("x"), Ok("y"), Ok("z")]);
    check!(
        w.end == End::Ended(FETCH_TIME),
        "paged(...) over a single page ended at {:?}, expected right after that page arrived \
         (1.0 s).",
        w.end;
        try = "end the stream after the page whose `next` is `None`, without fetching more."
    );
}

#[test]
fn pages_are_fetched_one_at_a_time() {
    let site: Site = (1..=5)
        .map(|n| {
            let next = (n < 5).then_some(n + 1);
            (n, Ok(page(&["item", "item"], next)))
        })
        .collect();
    let w = walk(site, 40);
    judge_fetches(&w);
    judge_items(&w, &[Ok("item"); 10]);
}

#[test]
fn a_fetch_error_is_yielded_then_the_stream_ends() {
    let site: Site = vec![
        (1, Ok(page(&["a", "b"], Some(2)))),
        (2, Err("server error on page 2".to_string())),
    ];
    let w = walk(site, 12);
    judge_items(&w, &[Ok("a"), Ok("b"), Err("server error on page 2")]);
    judge_fetches(&w);
}

/// What the laziness test saw at each step.
struct Lazy {
    /// Pages fetched before the first poll.
    before_polling: Vec<u32>,
    /// The first three items, each with how long after asking it came.
    first_three: Vec<(Option<Result<String, String>>, Duration)>,
    /// Pages fetched after the first three items, and a long pause.
    after_three: Vec<u32>,
    /// The fourth item, and how long after asking it came.
    fourth: (Option<Result<String, String>>, Duration),
    after_four: Vec<u32>,
}

#[test]
fn pages_are_fetched_lazily() {
    let lazy = paused(WATCHDOG, BLOCKED, || async {
        let site: Site = (1..=4)
            .map(|n| {
                let next = (n < 4).then_some(n + 1);
                let items = [format!("{n}a"), format!("{n}b"), format!("{n}c")];
                (n, Ok((items.to_vec(), next)))
            })
            .collect();
        let clock = Clock::start();
        let api = Api::new(clock, &site);
        let mut stream = pin!(stream_of(&api));
        sleep(secs(10)).await;
        let before_polling = api.fetched();
        let mut first_three = Vec::new();
        for _ in 0..3 {
            let asked = clock.now();
            let item = timeout_at(clock.give_up(), stream.next())
                .await
                .ok()
                .flatten();
            first_three.push((item, clock.now() - asked));
        }
        sleep(secs(10)).await;
        let after_three = api.fetched();
        let asked = clock.now();
        let item = timeout_at(clock.give_up(), stream.next())
            .await
            .ok()
            .flatten();
        let fourth = (item, clock.now() - asked);
        Lazy {
            before_polling,
            first_three,
            after_three,
            fourth,
            after_four: api.fetched(),
        }
    });
    check!(
        lazy.before_polling.is_empty(),
        "paged(...) fetched pages {:?} before anyone asked the stream for an item.",
        lazy.before_polling;
        try = "fetch nothing until the stream is polled: build it with `futures::stream::unfold`."
    );
    let items: Vec<&Option<Result<String, String>>> =
        lazy.first_three.iter().map(|(item, _)| item).collect();
    let want = [Some(Ok("1a")), Some(Ok("1b")), Some(Ok("1c"))];
    let items_ok = items
        .iter()
        .zip(&want)
        .all(|(got, want)| got.as_ref().map(|r| r.as_deref()) == *want);
    check!(
        items_ok,
        "paged(...) gave {items:?} as its first three items, expected the items of page 1: \
         \"1a\", \"1b\", \"1c\".";
        try = "yield `Ok(item)` for every item of page 1, in order, before anything else."
    );
    check!(
        lazy.after_three == [1],
        "the consumer took 3 items (all of page 1) and then waited 10 s; by then paged(...) had \
         fetched pages {:?}: it fetched pages before they were needed. A lazy stream fetches \
         page 2 only when item 4 is asked for (a consumer that stops after 3 items never pays \
         for page 2).",
        lazy.after_three;
        try = "fetch the next page inside the step that needs an item and finds the current page \
               used up: `futures::stream::unfold` runs a step only when an item is asked for."
    );
    let first_at = lazy.first_three[0].1;
    check!(
        first_at <= FETCH_TIME + SLACK,
        "the first item came out {} after the consumer asked for it: one fetch takes 1.0 s.",
        show(first_at);
        try = "yield the items of page 1 as soon as page 1 arrives."
    );
    let (fourth, waited) = &lazy.fourth;
    check!(
        fourth.as_ref().map(|r| r.as_deref()) == Some(Ok("2a")) && lazy.after_four == [1, 2],
        "asked for item 4, paged(...) gave {fourth:?} (pages fetched: {:?}), expected Ok(\"2a\") \
         from page 2, fetched then.",
        lazy.after_four;
        try = "when page 1 is used up, fetch page 1's `next` and yield its first item."
    );
    check!(
        *waited <= FETCH_TIME + SLACK,
        "item 4 came {} after the consumer asked for it; fetching page 2 takes 1.0 s.",
        show(*waited);
        try = "fetch page 2 when item 4 is asked for, and yield it as soon as it arrives."
    );
}

// ---------------------------------------------------------------------------
// Part 3: with_connection.

/// The panic the grader's own `f` raises on purpose.
const PLANNED_PANIC: &str = "the grader's f panics here on purpose";

/// What a test's `f` saw while it held a connection.
#[derive(Default)]
struct Seen {
    calls: Cell<usize>,
    checked_out: Cell<usize>,
}

impl Seen {
    fn enter(&self, pool: &Pool) {
        self.calls.set(self.calls.get() + 1);
        self.checked_out.set(pool.checked_out());
    }
}

/// `f` ran once, holding the one connection checked out.
fn judge_called(what: &str, calls: usize, checked_out: usize) {
    check!(
        calls == 1,
        "{what}: f ran {calls} times, expected once.";
        try = "check a connection out, then call `f(&mut conn).await` once."
    );
    check!(
        checked_out == 1,
        "{what}: while f ran, the pool had {checked_out} connections checked out, expected 1 \
         (the one f was given).";
        try = "check the connection out with `pool.acquire().await` and hand it to f."
    );
}

#[test]
fn the_connection_is_returned_after_ok() {
    let (result, calls, inside, after) = paused(WATCHDOG, BLOCKED, || async {
        let pool = Pool::new(1);
        let seen = Seen::default();
        let result = with_connection(&pool, async |conn: &mut Connection| {
            seen.enter(&pool);
            let reply = conn.query("SELECT 1").await;
            Ok::<_, String>((conn.id(), reply.len()))
        })
        .await;
        (
            result,
            seen.calls.get(),
            seen.checked_out.get(),
            pool.checked_out(),
        )
    });
    judge_called("with_connection(pool of 1, f returning Ok)", calls, inside);
    check!(
        result.as_ref().is_ok_and(|(id, len)| *id == 0 && *len > 0),
        "with_connection(pool of 1, f returning Ok) returned {result:?}; expected f's own Ok.";
        try = "return what `f(&mut conn).await` returns."
    );
    check!(
        after == 0,
        "with_connection(pool of 1, f returning Ok) returned, but the connection was still \
         checked out (pool.checked_out() = {after}): it was never given back, and the pool \
         has one connection fewer for everyone else.";
        try = "give the connection back when f is done: `pool.release(conn)`, ideally in the \
               `Drop` of a guard that holds it, so that it happens on every path."
    );
}

#[test]
fn the_connection_is_returned_after_err() {
    let (result, calls, inside, after) = paused(WATCHDOG, BLOCKED, || async {
        let pool = Pool::new(1);
        let seen = Seen::default();
        let result: Result<usize, String> =
            with_connection(&pool, async |conn: &mut Connection| {
                seen.enter(&pool);
                let _ = conn.query("SELECT * FROM missing").await;
                Err("no such table: missing".to_string())
            })
            .await;
        (
            result,
            seen.calls.get(),
            seen.checked_out.get(),
            pool.checked_out(),
        )
    });
    judge_called("with_connection(pool of 1, f returning Err)", calls, inside);
    check!(
        result == Err("no such table: missing".to_string()),
        "with_connection(pool of 1, f returning Err) returned {result:?}; expected f's own \
         Err(\"no such table: missing\").";
        try = "return what `f(&mut conn).await` returns, Ok or Err."
    );
    check!(
        after == 0,
        "after f returned Err, the connection was still checked out (pool.checked_out() = \
         {after}): the error path left with_connection without giving it back (an early \
         return with `?` skips the `release` below it).";
        try = "give the connection back on every path: hold it in a guard whose `Drop` calls \
               `pool.release`, or release it before returning f's result, Ok or Err."
    );
}

#[test]
fn the_connection_is_returned_when_cancelled() {
    struct Cancelled {
        timed_out: bool,
        at: Duration,
        started: bool,
        finished: bool,
        after: usize,
        again: Option<Result<usize, String>>,
        after_again: usize,
    }
    let r = paused(WATCHDOG, BLOCKED, || async {
        let clock = Clock::start();
        let pool = Pool::new(1);
        let started = Cell::new(false);
        let finished = Cell::new(false);
        let slow = with_connection(&pool, async |_conn: &mut Connection| {
            started.set(true);
            sleep(secs(5)).await;
            finished.set(true);
            Ok::<_, String>(())
        });
        let timed_out = timeout(secs(1), slow).await.is_err();
        let at = clock.now();
        let after = pool.checked_out();
        // Is the pool still usable? A leaked connection would make this wait forever.
        let again = timeout(
            secs(10),
            with_connection(&pool, async |conn: &mut Connection| {
                Ok::<_, String>(conn.id())
            }),
        )
        .await
        .ok();
        Cancelled {
            timed_out,
            at,
            started: started.get(),
            finished: finished.get(),
            after,
            again,
            after_again: pool.checked_out(),
        }
    });
    let what = "with_connection(pool of 1, f that takes 5 s) under a 1 s timeout";
    check!(
        r.started,
        "{what}: f never started.";
        try = "check a connection out, then run `f(&mut conn).await`."
    );
    check!(
        r.timed_out && !r.finished,
        "{what} returned before the timeout (f finished: {}), at {}: with_connection must wait \
         for f.",
        r.finished,
        show(r.at);
        try = "return what `f(&mut conn).await` returns, once f is done."
    );
    check!(
        r.after == 0,
        "{what}: the timeout cancelled (dropped) the with_connection future while f was \
         waiting, and the connection never went back to the pool (pool.checked_out() = {} \
         afterwards). Code after an `.await` does not run when the future is dropped there, so \
         a `pool.release(conn)` on the line after `f(&mut conn).await` never happens.",
        r.after;
        try = "hold the connection in a guard whose `Drop` calls `pool.release(conn)`: a dropped \
               future drops its locals, so the guard's `Drop` runs even when the future is \
               cancelled (Rust's `async with`)."
    );
    check!(
        r.again == Some(Ok(0)) && r.after_again == 0,
        "after a cancelled with_connection, the next with_connection on the same pool gave \
         {:?} (pool.checked_out() = {} afterwards), expected Some(Ok(0)) at once.",
        r.again,
        r.after_again;
        try = "give the connection back on every path, cancellation included: a guard's `Drop`."
    );
}

#[test]
fn the_connection_is_returned_when_f_panics() {
    let (outcome, calls, inside, after) = paused(WATCHDOG, BLOCKED, || async {
        let pool = Pool::new(1);
        let seen = Seen::default();
        let caught = AssertUnwindSafe(with_connection(
            &pool,
            async |conn: &mut Connection| -> Result<(), String> {
                seen.enter(&pool);
                let _ = conn.query("SELECT 1").await;
                panic!("{PLANNED_PANIC}")
            },
        ))
        .catch_unwind()
        .await;
        let outcome = match caught {
            Ok(result) => Ok(result),
            Err(payload) => {
                let text = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied());
                let planned = text == Some(PLANNED_PANIC);
                if !planned {
                    // The student's own panic (a todo!(), an unwrap): report it as such.
                    std::panic::resume_unwind(payload);
                }
                Err(())
            }
        };
        (
            outcome,
            seen.calls.get(),
            seen.checked_out.get(),
            pool.checked_out(),
        )
    });
    judge_called("with_connection(pool of 1, f that panics)", calls, inside);
    check!(
        outcome.is_err(),
        "with_connection(pool of 1, f that panics) returned {:?} instead of letting f's panic \
         through.",
        outcome.ok();
        try = "don't catch f's panic: a panic is a bug, and the caller must see it."
    );
    check!(
        after == 0,
        "f panicked (on purpose: the grader's f panics, the \"your code panicked\" line above is \
         that), and the connection never went back to the pool (pool.checked_out() = {after} \
         afterwards): the code after `f(&mut conn).await` never ran.";
        try = "hold the connection in a guard whose `Drop` calls `pool.release(conn)`: destructors \
               run while a panic unwinds, and when the panicked future is dropped."
    );
}

#[test]
fn five_users_share_a_pool_of_two() {
    struct Users {
        results: Option<Vec<Result<usize, String>>>,
        finished: usize,
        at: Duration,
        peak: usize,
        clash: Option<usize>,
        checked_out: usize,
        /// Users inside f when the grader stopped waiting.
        inside: usize,
    }
    let r = paused(WATCHDOG, BLOCKED, || async {
        let clock = Clock::start();
        let pool = Pool::new(2);
        let holding: RefCell<Vec<usize>> = RefCell::new(Vec::new());
        let peak = Cell::new(0);
        let clash = Cell::new(None);
        let finished = Cell::new(0);
        let users = (0..5).map(|user| {
            let (holding, peak, clash, finished) = (&holding, &peak, &clash, &finished);
            with_connection(&pool, async move |conn: &mut Connection| {
                let id = conn.id();
                if holding.borrow().contains(&id) {
                    clash.set(Some(id));
                }
                holding.borrow_mut().push(id);
                peak.set(peak.get().max(holding.borrow().len()));
                sleep(secs(1)).await;
                holding.borrow_mut().retain(|&held| held != id);
                finished.set(finished.get() + 1);
                Ok::<_, String>(user)
            })
        });
        let results = timeout_at(clock.give_up(), futures::future::join_all(users))
            .await
            .ok();
        let inside = holding.borrow().len();
        Users {
            results,
            finished: finished.get(),
            at: clock.now(),
            peak: peak.get(),
            clash: clash.get(),
            checked_out: pool.checked_out(),
            inside,
        }
    });
    let what = "5 users, each holding a connection for 1.0 s, on a pool of 2";
    check!(
        r.clash.is_none(),
        "{what}: two users held connection {} at the same time.",
        r.clash.unwrap_or_default();
        try = "give each user the connection `pool.acquire().await` returned, and only that one."
    );
    check!(
        r.peak <= 2,
        "{what}: {} users held a connection at once, but the pool has only 2.",
        r.peak;
        try = "check connections out with `pool.acquire().await`."
    );
    let Some(results) = r.results else {
        if r.checked_out > r.inside {
            fail!(
                "{what}: after {} of (virtual) time only {} of the 5 users had finished; the \
                 others were still waiting for a connection, while {} connections were checked \
                 out and no user was holding them: connections are not given back to the pool.",
                show(r.at),
                r.finished,
                r.checked_out - r.inside;
                try = "give the connection back when f is done, on every path: a guard whose \
                       `Drop` calls `pool.release(conn)`."
            );
        }
        fail!(
            "{what}: after {} of (virtual) time only {} of the 5 users had finished, and the \
             others never got through (connections checked out: {}).",
            show(r.at),
            r.finished,
            r.checked_out;
            try = "check a connection out with `pool.acquire().await`, run f, give it back."
        );
    };
    let want: Vec<Result<usize, String>> = (0..5).map(Ok).collect();
    check!(
        results == want,
        "{what}: the users got {results:?}, expected {want:?}.";
        try = "return what each user's f returns."
    );
    check!(
        r.at <= secs(3) + SLACK,
        "{what} took {}: with 2 connections, 5 users of 1.0 s need 3.0 s (3 rounds), but they \
         got through only {} at a time.",
        show(r.at),
        r.peak;
        try = "hold nothing but the connection while f runs, and give it back as soon as f is \
               done."
    );
    check!(
        r.checked_out == 0,
        "{what}: every user finished, but {} connections were still checked out afterwards.",
        r.checked_out;
        try = "give each connection back when its f is done."
    );
}
