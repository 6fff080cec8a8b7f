//! The instrumentation of part 3: `with_connection` on a provided `Pool`,
//! with `f`s that note what they see of the pool while they hold a
//! connection, and the five scenarios (Ok, Err, a panic, a cancellation,
//! five users sharing two connections).

use std::cell::{Cell, RefCell};
use std::time::Duration;

use ex09::{with_connection, Connection, Pool};
use grading::{catch_panic_async, paused, payload_text, secs};
use tokio::time::{sleep, timeout, timeout_at};

use crate::probe::{blocked, Clock, WATCHDOG};

/// The panic the grader's own `f` raises on purpose.
pub const PLANNED_PANIC: &str = "the grader's f panics here on purpose";

/// What a call with one `f` gave, and what `f` saw.
pub struct Call<T> {
    pub result: T,
    /// How many times `f` ran.
    pub calls: usize,
    /// Connections checked out while `f` ran.
    pub inside: usize,
    /// Connections checked out after the call.
    pub after: usize,
}

/// What `f` saw while it held a connection.
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

    fn call<T>(&self, result: T, pool: &Pool) -> Call<T> {
        Call {
            result,
            calls: self.calls.get(),
            inside: self.checked_out.get(),
            after: pool.checked_out(),
        }
    }
}

/// `f` queries its connection and returns `Ok((its id, the reply's length))`.
#[track_caller]
pub fn returning_ok() -> Call<Result<(usize, usize), String>> {
    paused(WATCHDOG, blocked(), || async {
        let pool = Pool::new(1);
        let seen = Seen::default();
        let result = with_connection(&pool, async |conn: &mut Connection| {
            seen.enter(&pool);
            let reply = conn.query("SELECT 1").await;
            Ok::<_, String>((conn.id(), reply.len()))
        })
        .await;
        seen.call(result, &pool)
    })
}

pub const NO_TABLE: &str = "no such table: missing";

/// `f` queries its connection and returns `Err(NO_TABLE)`.
#[track_caller]
pub fn returning_err() -> Call<Result<usize, String>> {
    paused(WATCHDOG, blocked(), || async {
        let pool = Pool::new(1);
        let seen = Seen::default();
        let result: Result<usize, String> =
            with_connection(&pool, async |conn: &mut Connection| {
                seen.enter(&pool);
                let _ = conn.query("SELECT * FROM missing").await;
                Err(NO_TABLE.to_string())
            })
            .await;
        seen.call(result, &pool)
    })
}

/// `f` queries its connection and panics with [`PLANNED_PANIC`]. The result
/// is `Err(())` when that panic came through; any other panic (the
/// student's own) is passed on, for the watchdog to report.
#[track_caller]
pub fn panicking() -> Call<Result<Result<(), String>, ()>> {
    paused(WATCHDOG, blocked(), || async {
        let pool = Pool::new(1);
        let seen = Seen::default();
        let call = with_connection(&pool, async |conn: &mut Connection| -> Result<(), String> {
            seen.enter(&pool);
            let _ = conn.query("SELECT 1").await;
            panic!("{PLANNED_PANIC}")
        });
        let result = match catch_panic_async(call).await {
            Ok(returned) => Ok(returned),
            Err(payload) if payload_text(payload.as_ref()) == PLANNED_PANIC => Err(()),
            Err(payload) => std::panic::resume_unwind(payload),
        };
        seen.call(result, &pool)
    })
}

/// A `with_connection` whose `f` takes 5 s, under a 1 s timeout; then
/// another call on the same pool.
pub struct Cancelled {
    pub timed_out: bool,
    pub at: Duration,
    /// When the next call returned, or the grader gave up on it.
    pub again_at: Duration,
    pub started: bool,
    pub finished: bool,
    pub after: usize,
    pub again: Option<Result<usize, String>>,
    pub after_again: usize,
}

#[track_caller]
pub fn cancelled() -> Cancelled {
    paused(WATCHDOG, blocked(), || async {
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
            again_at: clock.now(),
            started: started.get(),
            finished: finished.get(),
            after,
            again,
            after_again: pool.checked_out(),
        }
    })
}

/// Five users, each holding a connection for 1 s, on a pool of two.
pub struct Users {
    pub results: Option<Vec<Result<usize, String>>>,
    pub finished: usize,
    pub at: Duration,
    pub peak: usize,
    pub clash: Option<usize>,
    pub checked_out: usize,
    /// Users inside f when the grader stopped waiting.
    pub inside: usize,
    /// When each user's f began and ended (`None`: it has not).
    pub held: Vec<(Option<Duration>, Option<Duration>)>,
}

#[track_caller]
pub fn five_users_of_two() -> Users {
    paused(WATCHDOG, blocked(), || async {
        let clock = Clock::start();
        let pool = Pool::new(2);
        let holding: RefCell<Vec<usize>> = RefCell::new(Vec::new());
        let peak = Cell::new(0);
        let clash = Cell::new(None);
        let finished = Cell::new(0);
        let held = RefCell::new(vec![(None, None); 5]);
        let users = (0..5).map(|user| {
            let (holding, peak, clash, finished) = (&holding, &peak, &clash, &finished);
            let held = &held;
            with_connection(&pool, async move |conn: &mut Connection| {
                held.borrow_mut()[user].0 = Some(clock.now());
                let id = conn.id();
                if holding.borrow().contains(&id) {
                    clash.set(Some(id));
                }
                holding.borrow_mut().push(id);
                peak.set(peak.get().max(holding.borrow().len()));
                sleep(secs(1)).await;
                holding.borrow_mut().retain(|&other| other != id);
                held.borrow_mut()[user].1 = Some(clock.now());
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
            held: held.into_inner(),
        }
    })
}
