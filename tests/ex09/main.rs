//! Graded suite for exercise 9 (as completed, streams and async resources).
//!
//! Everything runs on tokio's paused clock: a "5 s" job costs microseconds of
//! real time and every instant is exact. The student's code gets probes
//! (`probe.rs`, `pool.rs`):
//! - jobs that log when they start and finish, and how many run at once;
//! - a pretend paged API that logs which page is fetched, when, and how many
//!   fetches are in flight at once;
//! - closures that log what they see of the pool while they hold a connection.
//!
//! A stream that stops yielding, or users that wait forever for a connection,
//! are caught on the paused clock (the grader gives up after 1000 s of tokio
//! time, which costs no real time); a blocked thread by the real-time
//! watchdog. The judges are in `judge.rs`.

mod judge;
mod picture;
mod pool;
mod probe;

use grading::{secs, Diagnosis};

use judge::{
    judge_cancelled, judge_err, judge_fetches, judge_items, judge_lazy, judge_ok, judge_panicked,
    judge_race, judge_timeline, judge_users,
};
use probe::{page, race, walk, walk_lazily, End, Site, FETCH_TIME};

// ---------------------------------------------------------------------------
// Part 1: as_completed

#[test]
fn yields_in_completion_order() {
    let r = race(&[3000, 1000, 2000]);
    judge_race(&r);
    judge_timeline(&r, &[(1, secs(1)), (2, secs(2)), (0, secs(3))]);
}

#[test]
fn jobs_all_start_at_once() {
    // judge_race checks that all four ran at once (Track::overlapped).
    judge_race(&race(&[1000, 1000, 1000, 1000]));
}

#[test]
fn each_output_comes_with_its_jobs_index() {
    judge_race(&race(&[5000, 3000, 1000, 4000, 2000]));
}

#[test]
fn no_jobs_give_a_stream_that_ends_at_once() {
    let r = race(&[]);
    judge_race(&r);
    if !(r.got.is_empty() && r.end == End::Ended(secs(0))) {
        Diagnosis::new(format!(
            "as_completed(no jobs) yielded {} results and ended {:?}; expected no results and the \
             end at once.{}",
            r.got.len(),
            r.end,
            picture::record_race(&r)
        ))
        .advice("an empty `FuturesUnordered` ends at once.")
        .fail();
    }
}

#[test]
fn a_thousand_jobs_take_the_longest_delay() {
    // 1 ms to 1000 ms, each delay once, in a scrambled order (7919 is prime).
    let delays: Vec<u64> = (0..1000).map(|i| 1 + i * 7919 % 1000).collect();
    judge_race(&race(&delays));
}

// ---------------------------------------------------------------------------
// Part 2: paged

#[test]
fn yields_every_item_of_every_page_in_order() {
    let site: Site = vec![
        (1, Ok(page(&["a", "b", "c"], Some(2)))),
        (2, Ok(page(&["d", "e"], Some(3)))),
        (3, Ok(page(&["f"], None))),
    ];
    let w = walk(site, 20);
    judge_fetches(&w);
    judge_items(&w, &["a", "b", "c", "d", "e", "f"].map(Ok));
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
    judge_items(&w, &["a", "b", "c", "d", "e", "f", "g"].map(Ok));
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
    judge_items(&w, &["a", "b", "c"].map(Ok));
}

#[test]
fn the_stream_ends_after_the_last_page() {
    let w = walk(vec![(1, Ok(page(&["x", "y", "z"], None)))], 20);
    judge_fetches(&w);
    judge_items(&w, &["x", "y", "z"].map(Ok));
    if w.end != End::Ended(FETCH_TIME) {
        Diagnosis::new(format!(
            "paged(...) over a single page ended at {:?}, expected right after that page arrived \
             (1.0 s).{}",
            w.end,
            picture::record_walk(&w)
        ))
        .advice("end the stream after the page whose `next` is `None`, without fetching more.")
        .fail();
    }
}

#[test]
fn pages_are_fetched_one_at_a_time() {
    let site: Site = (1..=5)
        .map(|n| (n, Ok(page(&["item", "item"], (n < 5).then_some(n + 1)))))
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

#[test]
fn pages_are_fetched_lazily() {
    judge_lazy(&walk_lazily());
}

// ---------------------------------------------------------------------------
// Part 3: with_connection

#[test]
fn the_connection_is_returned_after_ok() {
    judge_ok(&pool::returning_ok());
}

#[test]
fn the_connection_is_returned_after_err() {
    judge_err(&pool::returning_err());
}

#[test]
fn the_connection_is_returned_when_cancelled() {
    judge_cancelled(&pool::cancelled());
}

#[test]
fn the_connection_is_returned_when_f_panics() {
    judge_panicked(&pool::panicking());
}

#[test]
fn five_users_share_a_pool_of_two() {
    judge_users(&pool::five_users_of_two());
}
