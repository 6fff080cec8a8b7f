//! Graded suite for exercise 11 (worker processes).
//!
//! `run_jobs` runs in a *lab* (`lab.rs`): a temporary folder where every
//! worker the student's code starts leaves its pid and a note of each job
//! it reads and answers. A monitor stops a call that gets stuck and says
//! what the workers were doing; afterwards the census says which processes
//! were waited for. The judges are in `judge.rs`.
//!
//! Parallelism is observed, not timed: a worker on `meet N DIR` puts a file
//! into DIR and waits (at most 2 s) until N files are there. N workers meet
//! only if they run side by side; the first to give up leaves a `gave-up`
//! file, so a wrong solution costs one wait per test, not one per job. A
//! `meet N` can also wait for the N-1 `meet 1` jobs after it in the list:
//! they only run meanwhile if the other workers take the next jobs.
//!
//! `histogram` (`histogram.rs`) is checked for exact counts, with every byte
//! value hammered by several threads at once so that a lost update shows.

mod histogram;
mod judge;
mod lab;

use grading::Diagnosis;

use histogram::{exact, judge_counts, noise, run_histogram, Counted};
use judge::{judge, results, Meets};
use lab::{meet, meets, Crash, Cut, Job, Lab, Number, Unknown};

// ---------------------------------------------------------------------------
// run_jobs

#[test]
fn every_job_gets_its_answer() {
    let lab = Lab::new();
    let jobs = (0..30).map(|i| Number(1 + i * 37)).collect();
    judge(lab.run(3, jobs), Meets::None);
}

#[test]
fn results_come_back_in_job_order() {
    // Job 0 waits for the four `meet 1` after it, which the other worker
    // runs meanwhile: job 0 finishes last (or next to last).
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let jobs = vec![
        meet(5, &d),
        Number(27),
        meet(1, &d),
        Number(97),
        meet(1, &d),
        Number(871),
        meet(1, &d),
        meet(1, &d),
    ];
    judge(lab.run(2, jobs), Meets::SlowFirst);
}

#[test]
fn a_slow_job_does_not_hold_up_the_others() {
    // Job 0 waits for the eight `meet 1` after it: the two other workers
    // must run every other job meanwhile.
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let mut jobs = vec![meet(9, &d)];
    for n in [27, 97, 871, 6171, 77031, 1] {
        jobs.extend([meet(1, &d), Number(n)]);
    }
    jobs.extend([meet(1, &d), meet(1, &d)]);
    judge(lab.run(3, jobs), Meets::SlowFirst);
}

#[test]
fn workers_run_at_the_same_time() {
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let mut jobs = meets(3, &d);
    jobs.extend([27, 97, 871, 6171, 77031, 9].map(Number));
    judge(lab.run(3, jobs), Meets::Together);
}

#[test]
fn fewer_jobs_than_workers() {
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    judge(lab.run(4, meets(2, &d)), Meets::Together);
    // No jobs at all: no worker, no result.
    let lab = Lab::new();
    let (run, got) = results(lab.run(3, Vec::new()));
    if !got.is_empty() {
        Diagnosis::new(format!(
            "run_jobs(workers = 3, no jobs) returned {}, expected none.",
            grading::count(got.len(), "result")
        ))
        .advice("one result per job: no jobs, an empty Vec.")
        .fail();
    }
    judge((run, None), Meets::None);
}

#[test]
fn a_crash_only_loses_its_own_job() {
    let lab = Lab::new();
    let mut jobs: Vec<Job> = [27, 97, 871].map(Number).to_vec();
    jobs.push(Crash);
    jobs.extend([6171, 1, 7, 9, 11, 13].map(Number));
    judge(lab.run(2, jobs), Meets::None);
}

#[test]
fn a_lone_worker_is_restarted_after_a_crash() {
    let lab = Lab::new();
    let jobs = vec![Number(7), Crash, Number(9), Crash, Number(11)];
    judge(lab.run(1, jobs), Meets::None);
}

#[test]
fn an_answer_cut_short_is_a_crash() {
    // The worker writes "ok <pid> collatz(27)=11" (the answer is 111), no
    // line end, and dies.
    let lab = Lab::new();
    let jobs = vec![Number(7), Cut(27), Number(9), Number(27)];
    judge(lab.run(1, jobs), Meets::None);
}

#[test]
fn a_refused_job_is_a_bad_reply() {
    let lab = Lab::new();
    let jobs = vec![
        Number(5),
        Unknown("hello"),
        Number(6),
        Unknown("twenty-seven"),
        Number(8),
    ];
    judge(lab.run(2, jobs), Meets::None);
}

#[test]
fn every_worker_is_waited_for() {
    // Three workers side by side, two of which crash later: every one of
    // the five processes must be waited for.
    let mut lab = Lab::new();
    let d = lab.meet_dir();
    let mut jobs = meets(3, &d);
    jobs.extend([Number(27), Crash, Number(97), Crash, Number(871)]);
    judge(lab.run(3, jobs), Meets::Together);
}

// ---------------------------------------------------------------------------
// histogram

#[test]
fn histogram_counts_every_byte() {
    // 100 003 is prime: no thread count divides it. Every run is judged
    // together: one run may not tell a cause apart, several do.
    let data = noise(100_003, 0x5eed);
    let runs: Vec<Counted> = [1, 2, 3, 4, 7, 16]
        .into_iter()
        .map(|threads| run_histogram(&data, threads))
        .collect();
    judge_counts(&data, &runs);
}

#[test]
fn histogram_with_more_threads_than_bytes() {
    for (data, threads) in [(&b"abca"[..], 8), (&b""[..], 4), (&b"z"[..], 1)] {
        judge_counts(data, &[run_histogram(data, threads)]);
    }
}

#[test]
fn histogram_counts_survive_contention() {
    // Nearly every byte is 0 or 1: all the threads add to the same two
    // counters at the same time, so a lost update cannot hide, as long as
    // the threads run at the same time. On a machine so busy that they take
    // turns, a `load`-then-`store` loses nothing. Measured on 2 cores at a
    // load average of 11: 4 of 800 calls of this size (2 to 8 threads) came
    // out exact, 1.3 % at most (upper 95 % bound). The mistake passes only if
    // all four calls come out exact: below 0.013^4 = 3e-8. The calls stop at
    // the first wrong one: only a correct solution pays for all four.
    let mut data = vec![0_u8; 2 << 20];
    for (i, b) in data.iter_mut().enumerate() {
        *b = u8::from(i % 3 == 0);
    }
    data[12_345] = 200;
    let mut runs = Vec::new();
    for threads in [3, 4, 2, 8] {
        runs.push(run_histogram(&data, threads));
        if runs.iter().any(|r| !exact(&data, r)) {
            break;
        }
    }
    judge_counts(&data, &runs);
}
