//! Graded suite for exercise 7 (producers and consumers).
//!
//! Every test hands `pipeline` the grader's own sources and `handle` (the
//! probe, `probe.rs`): they count every pull and every `handle` call, note
//! the threads, and hold the consumers up as the test needs: behind a gate
//! until the producers cannot pull more (bounded-queue tests), at a
//! rendezvous until as many calls run at once as there are consumers
//! (concurrency tests), or not at all. `pipeline` runs on a thread of its
//! own, under the `within` watchdog, while the test thread watches the probe:
//! when nothing moves for `STALL` and the grader holds nobody up, the
//! pipeline is stuck, and the probe's counters say where. The judges
//! (`judge.rs`) turn what the probe saw into a diagnosis.

mod judge;
mod probe;

use judge::{judge, judge_slow};
use probe::{Hold, Setup};

#[test]
fn every_item_is_handled_exactly_once() {
    judge(&Setup::new(&[7, 0, 25, 3], 3, 4));
}

#[test]
fn many_items_from_many_producers() {
    judge(&Setup::new(&[1500, 900, 2100, 500], 4, 16));
}

#[test]
fn one_consumer_handles_everything() {
    judge(&Setup::new(&[10, 20, 5], 1, 1));
}

#[test]
fn consumers_handle_items_at_the_same_time() {
    judge(&Setup::new(&[12, 12], 4, 2).with(Hold::Rendezvous));
}

#[test]
fn more_consumers_than_items() {
    judge(&Setup::new(&[2], 5, 1).with(Hold::Rendezvous));
}

#[test]
fn the_queue_holds_at_most_capacity_items() {
    judge(&Setup::new(&[100, 100], 2, 3).with(Hold::Gate));
}

#[test]
fn capacity_zero_hands_each_item_over_directly() {
    judge(&Setup::new(&[60, 60, 60], 2, 0).with(Hold::Gate));
}

#[test]
fn a_slow_producer_does_not_end_the_pipeline() {
    // Source 0 yields its 6 items slowly: before each one, the other source is
    // used up and the channel is empty for a moment.
    let setup = Setup {
        slow: Some(0),
        ..Setup::new(&[6, 30], 2, 2)
    };
    let report = judge(&setup);
    judge_slow(&setup, &report);
}

#[test]
fn no_sources_give_an_empty_vec() {
    judge(&Setup::new(&[], 3, 2));
}

#[test]
fn empty_sources_give_an_empty_vec() {
    judge(&Setup::new(&[0, 0, 0, 0], 2, 1));
}
