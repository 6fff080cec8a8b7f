//! The instrumentation: tokio's clock from the start of a test, a drain that
//! takes a stream's items with the time each came out, the grader's jobs
//! (they log their start and finish), the pretend paged API (it logs which
//! page is fetched, when, and how many fetches are in flight), and the runs
//! that put the student's functions to work on them.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use ex09::{as_completed, paged, Page};
use futures::{Stream, StreamExt};
use grading::{ms, paused, secs, Cause, Diagnosis, Track};
use tokio::time::{sleep, timeout_at, Instant};

/// Real time any test may take before the watchdog stops it. A correct
/// solution needs a few milliseconds.
pub const WATCHDOG: Duration = secs(3);
/// Tokio time after which the grader stops waiting for a stream's next item
/// or for users of the pool. Costs no real time on the paused clock.
pub const GIVE_UP: Duration = secs(1000);
/// The fetches a probe saw: (page, start, end; `None`: not seen to end),
/// and when the grader looked.
pub type FetchSpans = (Vec<(u32, Duration, Option<Duration>)>, Duration);

/// Slack for tokio's 1 ms timer resolution.
pub const SLACK: Duration = ms(5);
/// How long the pretend API takes to serve a page.
pub const FETCH_TIME: Duration = secs(1);

/// The watchdog's diagnosis: the real-time limit proves only that the thread
/// never got back to the runtime, not which of these held it.
pub fn blocked() -> Diagnosis {
    Diagnosis::new(
        "Your code gave no answer within 3 s of real time, although on the paused clock \
         tokio's timers cost none: something blocks the thread or spins (`std::thread::sleep`, \
         a busy loop, `futures::executor::block_on` inside async code, a std `Mutex` guard held \
         across an `.await`).",
    )
    .candidates([
        Cause::BlockingInAsync,
        Cause::BusyLoop,
        Cause::LockHeldWhileWaiting,
    ])
    .advice("let tokio do the waiting: `.await` futures and streams, never block the thread.")
}

/// Tokio's clock, counted from the start of a test.
#[derive(Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    /// Must be called inside the runtime, at the moment that counts as 0.
    pub fn start() -> Self {
        Clock(Instant::now())
    }

    pub fn now(self) -> Duration {
        self.0.elapsed()
    }

    pub fn give_up(self) -> Instant {
        self.0 + GIVE_UP
    }
}

/// How consuming a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The stream yielded `None` at this time.
    Ended(Duration),
    /// The stream yielded nothing more for [`GIVE_UP`] of tokio time.
    Stuck(Duration),
    /// The stream yielded more items than the grader was ready to take.
    TooMany,
}

/// Takes items from `stream` until it ends, gets stuck, or has yielded more
/// than `max` items; each item with the time it came out.
pub async fn drain<S: Stream>(
    stream: S,
    clock: Clock,
    max: usize,
) -> (Vec<(S::Item, Duration)>, End) {
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
// Part 1: as_completed. A `Track` notes when each job starts and ends.

pub fn output(i: usize) -> String {
    format!("job {i} done")
}

/// Job `i` of a race: waits `delay`, then returns `output(i)`; `track`
/// notes when it started and ended.
fn job(track: &Track, i: usize, delay: Duration) -> impl Future<Output = String> {
    track.wrap(&format!("job {i}"), async move {
        sleep(delay).await;
        output(i)
    })
}

/// One run of `as_completed` over the grader's jobs.
pub struct Race {
    pub delays: Vec<Duration>,
    /// (index, output, time it came out of the stream)
    pub got: Vec<(usize, String, Duration)>,
    pub end: End,
    /// When each job ran (lanes `job 0`, `job 1`, ...).
    pub track: Track,
}

impl Race {
    /// The indices of the results, in the order they came out.
    pub fn indices(&self) -> Vec<usize> {
        self.got.iter().map(|&(i, _, _)| i).collect()
    }
}

#[track_caller]
pub fn race(delays_ms: &[u64]) -> Race {
    let delays: Vec<Duration> = delays_ms.iter().map(|&d| ms(d)).collect();
    paused(WATCHDOG, blocked(), move || async move {
        let clock = Clock::start();
        let track = Track::new(grading::Clock::Virtual);
        let jobs: Vec<_> = delays
            .iter()
            .enumerate()
            .map(|(i, &d)| job(&track, i, d))
            .collect();
        let (got, end) = drain(as_completed(jobs), clock, delays.len()).await;
        track.look();
        let got: Vec<_> = got.into_iter().map(|((i, out), at)| (i, out, at)).collect();
        crate::picture::mark_race(&track, &got, end);
        Race {
            delays,
            got,
            end,
            track,
        }
    })
}

// ---------------------------------------------------------------------------
// Part 2: paged. A pretend API that logs its fetches.

pub type Reply = Result<Page<String>, String>;

/// The pages an API serves: number -> items and next, or an error.
pub type Site = Vec<(u32, Result<(Vec<String>, Option<u32>), String>)>;

pub fn page(items: &[&str], next: Option<u32>) -> (Vec<String>, Option<u32>) {
    (items.iter().map(|s| s.to_string()).collect(), next)
}

pub struct Api {
    clock: Clock,
    pages: HashMap<u32, Reply>,
    /// (page, time the fetch started), in the order fetches started.
    fetches: RefCell<Vec<(u32, Duration)>>,
    /// When each of those fetches ended or was dropped (`None`: not yet).
    ends: RefCell<Vec<Option<Duration>>>,
    running: Cell<usize>,
    peak: Cell<usize>,
}

/// Counts a fetch (the `usize`-th) as in flight from its first poll until it
/// ends or is dropped.
struct InFlight(Rc<Api>, usize);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.running.set(self.0.running.get() - 1);
        self.0.ends.borrow_mut()[self.1] = Some(self.0.clock.now());
    }
}

impl Api {
    pub fn new(clock: Clock, site: &Site) -> Rc<Self> {
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
            ends: RefCell::new(Vec::new()),
            running: Cell::new(0),
            peak: Cell::new(0),
        })
    }

    /// Serves one page after [`FETCH_TIME`].
    async fn serve(self: Rc<Self>, number: u32) -> Reply {
        self.fetches.borrow_mut().push((number, self.clock.now()));
        self.ends.borrow_mut().push(None);
        self.running.set(self.running.get() + 1);
        self.peak.set(self.peak.get().max(self.running.get()));
        let _in_flight = InFlight(Rc::clone(&self), self.ends.borrow().len() - 1);
        sleep(FETCH_TIME).await;
        self.pages
            .get(&number)
            .cloned()
            .unwrap_or_else(|| Err(format!("there is no page {number}")))
    }

    pub fn fetched(&self) -> Vec<u32> {
        self.fetches.borrow().iter().map(|&(p, _)| p).collect()
    }

    /// Every fetch so far: (page, start, end), `None` for one still in
    /// flight (its end not seen), and the moment they were looked at.
    pub fn fetch_spans(&self) -> FetchSpans {
        let ends = self.ends.borrow();
        let spans = self
            .fetches
            .borrow()
            .iter()
            .zip(ends.iter())
            .map(|(&(page, start), &end)| (page, start, end))
            .collect();
        (spans, self.clock.now())
    }

    /// The student's stream over this API.
    pub fn stream(self: &Rc<Self>) -> impl Stream<Item = Result<String, String>> {
        let api = Rc::clone(self);
        paged(move |number| Rc::clone(&api).serve(number))
    }
}

/// One full walk through a paged stream.
pub struct Walk {
    pub got: Vec<Result<String, String>>,
    pub end: End,
    pub fetched: Vec<u32>,
    /// Every fetch: (page, start, end).
    pub fetch_spans: FetchSpans,
    pub peak: usize,
    /// The pages as the API serves them: number -> next (`None` for a
    /// failing page), and number -> items.
    pub next_of: HashMap<u32, Option<Option<u32>>>,
    pub items_of: HashMap<u32, Vec<String>>,
}

#[track_caller]
pub fn walk(site: Site, max: usize) -> Walk {
    paused(WATCHDOG, blocked(), move || async move {
        let clock = Clock::start();
        let api = Api::new(clock, &site);
        let (got, end) = drain(api.stream(), clock, max).await;
        let next_of = site
            .iter()
            .map(|(n, reply)| (*n, reply.as_ref().ok().map(|(_, next)| *next)))
            .collect();
        let items_of = site
            .iter()
            .filter_map(|(n, reply)| Some((*n, reply.as_ref().ok()?.0.clone())))
            .collect();
        Walk {
            got: got.into_iter().map(|(item, _)| item).collect(),
            end,
            fetched: api.fetched(),
            fetch_spans: api.fetch_spans(),
            peak: api.peak.get(),
            next_of,
            items_of,
        }
    })
}

/// What the laziness test saw at each step.
pub struct Lazy {
    /// Pages fetched before the first poll.
    pub before_polling: Vec<u32>,
    /// The first three items, each with how long after asking it came.
    pub first_three: Vec<(Option<Result<String, String>>, Duration)>,
    /// Pages fetched after the first three items, and a long pause.
    pub after_three: Vec<u32>,
    /// The fourth item, and how long after asking it came.
    pub fourth: (Option<Result<String, String>>, Duration),
    pub after_four: Vec<u32>,
    /// Every fetch: (page, start, end).
    pub fetch_spans: FetchSpans,
    /// When the consumer asked for item 1 and for item 4.
    pub asked: [Duration; 2],
}

/// Four pages of three items; the consumer waits 10 s before its first
/// poll, takes three items, waits 10 s, then takes the fourth.
#[track_caller]
pub fn walk_lazily() -> Lazy {
    paused(WATCHDOG, blocked(), || async {
        let site: Site = (1..=4)
            .map(|n| {
                let next = (n < 4).then_some(n + 1);
                let items = [format!("{n}a"), format!("{n}b"), format!("{n}c")];
                (n, Ok((items.to_vec(), next)))
            })
            .collect();
        let clock = Clock::start();
        let api = Api::new(clock, &site);
        let mut stream = pin!(api.stream());
        let mut next_item = async || {
            let asked = clock.now();
            let item = timeout_at(clock.give_up(), stream.next())
                .await
                .ok()
                .flatten();
            (item, clock.now() - asked)
        };
        sleep(secs(10)).await;
        let before_polling = api.fetched();
        let first_asked = clock.now();
        let mut first_three = Vec::new();
        for _ in 0..3 {
            first_three.push(next_item().await);
        }
        sleep(secs(10)).await;
        let after_three = api.fetched();
        let fourth_asked = clock.now();
        let fourth = next_item().await;
        Lazy {
            before_polling,
            first_three,
            after_three,
            fourth,
            after_four: api.fetched(),
            fetch_spans: api.fetch_spans(),
            asked: [first_asked, fourth_asked],
        }
    })
}
