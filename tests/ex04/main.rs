//! Graded suite for exercise 4 (read files with a pool of threads).
//!
//! Most tests hand `read_all_with` an instrumented reader, the *probe*
//! (`probe.rs`). Every read registers itself (which file, which thread) and
//! enters a `grading::Rendezvous` that counts the reads in flight: it holds a
//! read until as many are in flight as the pool should run at once,
//! `min(workers, files)`, or until every file has started. A correct pool
//! gets there in microseconds; a pool that reads one file at a time never
//! does, and after `PATIENCE` the rendezvous notes the miss and stops
//! waiting (for the whole test, so a wrong pool costs one wait, not one per
//! file). So "4 reads ran at once" is an observation, not a timing guess, and
//! so is "10 different threads read".
//!
//! Two tests read real files made with `tempfile`, to check `read_all` and
//! the error kinds of `std::fs::read_to_string`. The verdicts are in
//! `judge.rs`.

mod judge;
mod probe;

use grading::{count, Diagnosis};

use judge::{judge_probe, judge_real};
use probe::{run_probe, Content, Finish, Setup};

#[test]
fn read_all_reads_every_file_in_order() {
    judge_real(
        &[
            ("a.txt", Content::Text("the first file\n")),
            ("b.txt", Content::Text("")),
            ("c.txt", Content::Text("héllo wörld ✓\nsecond line\n")),
            ("d.txt", Content::Text("4")),
            (
                "e.txt",
                Content::Text("the last file, a little longer than the others\n"),
            ),
        ],
        2,
    );
}

#[test]
fn missing_and_invalid_files_get_their_own_errors() {
    judge_real(
        &[
            ("notes.txt", Content::Text("some notes\n")),
            ("missing.txt", Content::Missing),
            ("data.txt", Content::Text("1 2 3\n")),
            ("latin1.txt", Content::Bytes(b"caf\xe9 au lait\n")),
            ("todo.txt", Content::Text("- finish exercise 4\n")),
            ("end.txt", Content::Text("the end\n")),
        ],
        3,
    );
}

#[test]
fn four_workers_read_ten_files_together() {
    judge_probe(Setup::new(10, 4));
}

#[test]
fn results_keep_the_input_order() {
    // All five reads in flight, finishing last file first.
    judge_probe(Setup {
        finish: Finish::Reversed,
        ..Setup::new(5, 5)
    });
}

#[test]
fn a_slow_file_does_not_hold_up_the_others() {
    // file-0 finishes only after the 7 others: the second worker must read them all.
    judge_probe(Setup {
        finish: Finish::SlowFirst,
        ..Setup::new(8, 2)
    });
}

#[test]
fn one_worker_reads_one_file_at_a_time() {
    judge_probe(Setup::new(5, 1));
}

#[test]
fn fewer_files_than_workers() {
    judge_probe(Setup::new(3, 8));
}

#[test]
fn no_files_means_no_reads() {
    let setup = Setup::new(0, 4);
    let (got, report) = run_probe(setup);
    if !got.is_empty() {
        Diagnosis::new(format!(
            "read_all_with(no paths, workers = 4) returned {}, expected none.",
            count(got.len(), "result")
        ))
        .advice("one result per path: no paths, an empty Vec.")
        .fail();
    }
    if !report.strangers.is_empty() {
        Diagnosis::new(format!(
            "read_all_with(no paths, workers = 4) called `read` {}.",
            count(report.strangers.len(), "time")
        ))
        .advice("with no paths there is nothing to read.")
        .fail();
    }
}

#[test]
fn forty_files_stay_within_four_workers() {
    judge_probe(Setup::new(40, 4));
}

#[test]
fn an_error_does_not_stop_the_other_reads() {
    // One worker, so a pool that gives up after an error cannot hide it.
    judge_probe(Setup {
        failing: Some(2),
        ..Setup::new(6, 1)
    });
}
