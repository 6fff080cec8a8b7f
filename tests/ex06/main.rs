//! Graded suite for exercise 6 (race conditions and locks).
//!
//! A race is a rare event, so the stress tests make it a common one. Many
//! threads call the student's code thousands of times on the same counter or
//! the same accounts, and each of them is interrupted every few tens of
//! microseconds, at whatever instruction it is running, for a few tens of
//! microseconds (`grading::preempt_often`: a kernel timer and a signal
//! handler that sleeps). So a read-modify-write done in two steps, or a
//! thread holding one lock while it takes the next, is stopped in the middle
//! hundreds of times per test while the other threads run, on one core as
//! on many, however busy the machine is. (Linux only: elsewhere the threads
//! run freely and the race tests catch a race only by luck.)
//!
//! Timelines: the failures about how `count_with_threads` ran (one thread
//! alone, one after another, in batches, read too early) draw its threads'
//! lanes. Two kinds draw none, on purpose. A lost update, an overdraft or
//! money in flight is a wrong final value, found after thousands of forced
//! interleavings: a picture of those thousands of calls would show threads
//! running side by side, as a correct solution does, and hide the one
//! interleaving that lost the value. A deadlock is a hang: the watchdog
//! stops the test, and its message names the lock order to check, which a
//! lane frozen forever would not add to.
//!
//! `count_with_threads` is watched from inside: the tests pass it their own
//! counter (`probe::CountProbe`), which notes which threads increment it,
//! holds each thread's first increment at a meeting point until all of them
//! are there (threads that run one after another never all meet), and holds
//! the last increment until the caller is seen waiting for its threads (so
//! a count read too early is read early every run).
//!
//! The odds that a race test misses a catalogued race, on Linux, measured
//! with `preempt_often` on a busy 2-core machine by running each test at a
//! tenth to a hundredth of its size hundreds of times (a run is many
//! independent chances, so a miss at full size is a miss at every tenth):
//! `many_threads_never_lose_an_increment` (load then store; two locks) at a
//! tenth missed 8 of 200 runs, so at full size about 0.04^10 = 1e-14;
//! `racing_withdrawals_never_overdraw` (check, then withdraw) at a
//! thirtieth missed 7 of 200, about 1e-44; `random_transfers_keep_every_account_exact`
//! (a stale deposit) at a twentieth missed 1 of 200, under 1e-40;
//! `total_is_one_consistent_snapshot` (total one account at a time; transfer
//! in two steps) at a tenth missed 1 and 5 of 200, under 1e-16;
//! `opposite_transfers_never_deadlock` (lock order) at a hundredth
//! deadlocked in 64 of 100 runs, under 1e-40. Elsewhere the threads are not
//! interrupted, and these tests catch a race only when it happens to strike.
//!
//! Nothing is judged by the clock. The tests count: increments made against
//! the final count; withdrawals that succeeded against the money there was;
//! every transfer that returned `Ok` against the final balances; every
//! `total()` seen while transfers run against the money in the bank. A
//! deadlock is a hang, and the watchdog turns it into a diagnosis.
//!
//! Observations are made on the watchdog's work thread; the verdicts are
//! given on the test's own thread (`judge`), so a failure never reads as a
//! panic of the student's code.

mod judge;
mod probe;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ex06::{Bank, Count, Counter, TransferError};
use grading::{secs, within, Diagnosis};

use judge::{
    bank_hung, deadlock, explain_panic, judge_balances, judge_bank_panic, judge_counting,
    judge_money_kept, judge_new_bank, judge_one_thread, judge_overlap, judge_script,
    judge_shared_count, judge_totals, judge_troubles, script_hung, some, Trouble, COUNTER_HUNG,
    SAME_ACCOUNT_HUNG,
};
use probe::{balances, catching, count_on_probe, run_workers, Hold, Leaving, Rng};

/// Real time any test may take before the watchdog stops it. The reference
/// needs at most a few tens of milliseconds per test, under a second on a
/// heavily overloaded machine.
pub const WATCHDOG: Duration = secs(5);

// ---------------------------------------------------------------------------
// The counter.

#[test]
fn counter_counts_on_one_thread() {
    let (fresh, after_one, after_ten, default) = within(WATCHDOG, COUNTER_HUNG, || {
        let counter = Counter::new();
        let fresh = counter.get();
        counter.increment();
        let after_one = counter.get();
        for _ in 0..9 {
            counter.increment();
        }
        let after_ten = counter.get();
        (fresh, after_one, after_ten, Counter::default().get())
    });
    if fresh != 0 {
        Diagnosis::new(format!("Counter::new().get() is {fresh}, expected 0."))
            .advice("start the count at zero.")
            .fail();
    }
    if default != 0 {
        Diagnosis::new(format!(
            "Counter::default().get() is {default}, expected 0."
        ))
        .fail();
    }
    judge_one_thread("after one increment on one thread", after_one, 1);
    judge_one_thread("after ten increments on one thread", after_ten, 10);
}

#[test]
fn many_threads_never_lose_an_increment() {
    const THREADS: usize = 8;
    const EACH: u64 = 20_000;
    let outcome = within(WATCHDOG, COUNTER_HUNG, || -> Result<(u64, u64), String> {
        // One thread alone first: a count that is wrong there is no race.
        let alone = Counter::new();
        for _ in 0..10 {
            alone.increment();
        }
        let alone = alone.get();
        let counter = Counter::new();
        run_workers(THREADS, |_| {
            for _ in 0..EACH {
                counter.increment();
            }
        })?;
        Ok((alone, catching(|| counter.get())?))
    });
    let what = format!("{THREADS} threads each called `increment` {EACH} times on one counter");
    let (alone, got) = outcome
        .unwrap_or_else(|text| Diagnosis::new(format!("{what}:\n{}", explain_panic(&text))).fail());
    judge_one_thread("after ten increments on one thread", alone, 10);
    judge_shared_count(&what, got, THREADS as u64 * EACH);
}

#[test]
fn count_with_threads_returns_the_exact_count() {
    for (threads, per_thread) in [(1, 2_000), (4, 500), (0, 100), (3, 0)] {
        judge_counting(&count_on_probe(threads, per_thread, Hold::LastIncrement));
    }
}

#[test]
fn threads_run_at_the_same_time() {
    // More threads than cores, so that a pool of one thread per core (rayon's
    // global pool) cannot pass for `threads` threads on any machine.
    let threads = 2 * grading::cores().max(2);
    judge_overlap(&count_on_probe(threads, 1_000, Hold::FirstIncrements));
}

// ---------------------------------------------------------------------------
// The bank, one call at a time: a model says what each call must do.

#[test]
fn a_new_bank_knows_its_balances() {
    judge_new_bank(&[100, 0, 250, 7]);
    judge_new_bank(&[]);
}

#[test]
fn transfer_moves_money_and_refuses_overdrafts() {
    judge_script(
        &[100, 50, 0],
        &[
            (0, 1, 30),
            (1, 2, 80),
            (2, 0, 81),
            (1, 0, 1),
            (2, 1, 80),
            (1, 0, 80),
        ],
        script_hung(),
    );
}

#[test]
fn missing_accounts_are_refused() {
    judge_script(
        &[10, 20],
        &[
            (0, 2, 5),
            (5, 1, 5),
            (7, 9, 1),
            (2, 2, 1),
            (1, 0, 15),
            (0, 3, 1),
        ],
        script_hung(),
    );
}

#[test]
fn transfer_to_the_same_account_is_refused() {
    judge_script(
        &[10, 20, 30],
        &[(1, 1, 5), (0, 0, 1000), (2, 2, 0), (1, 2, 15)],
        SAME_ACCOUNT_HUNG.into(),
    );
}

// ---------------------------------------------------------------------------
// The bank under stress.

#[test]
fn opposite_transfers_never_deadlock() {
    const THREADS: usize = 4;
    const EACH: u64 = 20_000;
    // Each direction's threads take out at most 2 * EACH: nobody runs short.
    let start = [2 * EACH, 2 * EACH];
    let outcome = within(WATCHDOG, deadlock(), move || -> Result<_, String> {
        let bank = Bank::new(&start);
        let troubles = run_workers(THREADS, |i| -> Trouble {
            let (from, to) = if i % 2 == 0 { (0, 1) } else { (1, 0) };
            for _ in 0..EACH {
                if let Err(e) = bank.transfer(from, to, 1) {
                    return Some(format!(
                        "transfer({from}, {to}, 1) returned Err({e:?}), though account \
                         {from} always holds enough"
                    ));
                }
            }
            None
        })?;
        let end = catching(|| balances(&bank, 2))?;
        Ok((troubles, end))
    });
    let what = format!(
        "{THREADS} threads each made {EACH} transfers of 1, half of them from account 0 to 1, \
         half from 1 to 0"
    );
    let (troubles, end) = outcome.unwrap_or_else(|text| judge_bank_panic(&what, &text));
    judge_troubles(&what, &troubles);
    judge_money_kept(&what, &end, 4 * EACH);
    judge_balances(&what, "as much went each way", &end, &some(&start));
}

#[test]
fn racing_withdrawals_never_overdraw() {
    const PAIRS: usize = 2;
    const THREADS: usize = 2 * PAIRS;
    const EACH: usize = 30_000;
    const AMOUNT: u64 = 10;
    const FUNDS: u64 = 17;
    const LEFT: u64 = FUNDS - AMOUNT;
    // The shared account, numbered last: a transfer out of it locks the
    // receiving account first.
    const SHARED: usize = PAIRS;
    // Each worker takes AMOUNT out of the shared account, which holds enough
    // for one withdrawal at a time, into an account it shares with one other
    // worker, and gives it back: every withdrawal takes the last AMOUNT. A
    // transfer that checks the balance under one lock and withdraws under
    // another waits, between the two, for the receiving account that its
    // partner holds while that partner takes the money.
    let refused = TransferError::InsufficientFunds {
        needed: AMOUNT,
        available: LEFT,
    };
    let outcome = within(WATCHDOG, bank_hung(), move || -> Result<_, String> {
        let mut start = vec![0; PAIRS + 1];
        start[SHARED] = FUNDS;
        let bank = Bank::new(&start);
        let workers = run_workers(THREADS, |i| -> (usize, Trouble) {
            let mine = i / 2;
            let mut successes = 0;
            for _ in 0..EACH {
                match bank.transfer(SHARED, mine, AMOUNT) {
                    Ok(()) => successes += 1,
                    Err(e) if e == refused => continue,
                    Err(e) => {
                        let trouble = format!(
                            "transfer({SHARED}, {mine}, {AMOUNT}) returned Err({e:?}); account \
                             {SHARED} holds {FUNDS} or {LEFT}, so expected Ok(()) or \
                             Err({refused:?})"
                        );
                        return (successes, Some(trouble));
                    }
                }
                if let Err(e) = bank.transfer(mine, SHARED, AMOUNT) {
                    let trouble = format!(
                        "giving the {AMOUNT} back with transfer({mine}, {SHARED}, {AMOUNT}) \
                         returned Err({e:?}), though account {mine} had just received it"
                    );
                    return (successes, Some(trouble));
                }
            }
            (successes, None)
        })?;
        let end = catching(|| balances(&bank, PAIRS + 1))?;
        Ok((workers, end))
    });
    let what = format!(
        "{THREADS} threads each took {AMOUNT} out of account {SHARED} (which holds {FUNDS}) and \
         gave it back, {EACH} times, all at once"
    );
    let (workers, end) = outcome.unwrap_or_else(|text| judge_bank_panic(&what, &text));
    let (successes, troubles): (Vec<usize>, Vec<Trouble>) = workers.into_iter().unzip();
    judge_troubles(&what, &troubles);
    if successes.iter().sum::<usize>() == 0 {
        Diagnosis::new(format!(
            "{what}: not one withdrawal succeeded, though account {SHARED} had money for one."
        ))
        .advice("refuse a transfer only when the paying account holds less than the amount.")
        .fail();
    }
    judge_money_kept(&what, &end, FUNDS);
    let mut want = vec![Some(0); PAIRS + 1];
    want[SHARED] = Some(FUNDS);
    judge_balances(&what, "all the money back where it started", &end, &want);
}

#[test]
fn total_is_one_consistent_snapshot() {
    const ACCOUNTS: usize = 8;
    const MOVERS: usize = 3;
    const EACH: usize = 3_000;
    const START: u64 = 1_000;
    const SUM: u64 = START * ACCOUNTS as u64;
    let outcome = within(WATCHDOG, bank_hung(), || -> Result<_, String> {
        let bank = Bank::new(&[START; ACCOUNTS]);
        let moving = AtomicUsize::new(MOVERS);
        let looks = run_workers(MOVERS + 1, |i| -> Vec<u64> {
            if i == MOVERS {
                // The observer: total() again and again while money moves.
                let mut totals = Vec::new();
                while moving.load(Ordering::SeqCst) > 0 {
                    totals.push(bank.total());
                }
                return totals;
            }
            // A mover: random transfers. The observer stops when the last
            // mover is done (or has panicked).
            let _leaving = Leaving(&moving);
            let mut rng = Rng::new(i as u64 + 1);
            for _ in 0..EACH {
                let from = rng.below(ACCOUNTS as u64) as usize;
                let to = (from + 1 + rng.below(ACCOUNTS as u64 - 1) as usize) % ACCOUNTS;
                let _ = bank.transfer(from, to, 1 + rng.below(200));
            }
            Vec::new()
        })?;
        let end = catching(|| balances(&bank, ACCOUNTS))?;
        Ok((looks, end))
    });
    let what = format!(
        "while {MOVERS} threads moved money between {ACCOUNTS} accounts holding {SUM} in all, \
         another thread called total()"
    );
    let (mut looks, end) = outcome.unwrap_or_else(|text| judge_bank_panic(&what, &text));
    judge_money_kept(&what, &end, SUM);
    judge_totals(&what, &looks.swap_remove(MOVERS), SUM);
}

#[test]
fn random_transfers_keep_every_account_exact() {
    const THREADS: usize = 4;
    const EACH: usize = 6_000;
    const START: [u64; 6] = [40, 0, 25, 5, 100, 0];
    const N: usize = START.len();
    /// One worker's bookkeeping: the net change its successful transfers
    /// made to each account, and what went wrong.
    type Book = ([i64; N], Trouble);
    let outcome = within(WATCHDOG, bank_hung(), || -> Result<_, String> {
        let bank = Bank::new(&START);
        let books = run_workers(THREADS, |i| -> Book {
            let mut rng = Rng::new(100 + i as u64);
            let mut net = [0i64; N];
            for _ in 0..EACH {
                let from = rng.below(N as u64) as usize;
                let to = (from + 1 + rng.below(N as u64 - 1) as usize) % N;
                let amount = 1 + rng.below(40);
                match bank.transfer(from, to, amount) {
                    Ok(()) => {
                        net[from] -= amount as i64;
                        net[to] += amount as i64;
                    }
                    Err(TransferError::InsufficientFunds { needed, available })
                        if needed == amount && available < amount => {}
                    Err(e) => {
                        let trouble = format!(
                            "transfer({from}, {to}, {amount}) returned Err({e:?}); expected \
                             Ok(()) or InsufficientFunds {{ needed: {amount}, available: \
                             (less than {amount}) }}"
                        );
                        return (net, Some(trouble));
                    }
                }
            }
            (net, None)
        })?;
        let (end, total) = catching(|| (balances(&bank, N), bank.total()))?;
        Ok((books, end, total))
    });
    let sum: u64 = START.iter().sum();
    let what = format!(
        "{THREADS} threads made {EACH} random transfers each between {N} accounts starting with \
         {START:?}"
    );
    let (books, end, total) = outcome.unwrap_or_else(|text| judge_bank_panic(&what, &text));
    let (nets, troubles): (Vec<[i64; N]>, Vec<Trouble>) = books.into_iter().unzip();
    judge_troubles(&what, &troubles);
    judge_money_kept(&what, &end, sum);
    // What the transfers that returned Ok add up to, account by account.
    let want: Vec<Option<u64>> = (0..N)
        .map(|a| u64::try_from(START[a] as i64 + nets.iter().map(|n| n[a]).sum::<i64>()).ok())
        .collect();
    judge_balances(
        &what,
        "what the transfers that returned Ok add up to",
        &end,
        &want,
    );
    if total != sum {
        Diagnosis::new(format!(
            "{what}: afterwards total() is {total}, but the accounts hold {sum}."
        ))
        .advice("add up every account's balance, holding all their locks.")
        .fail();
    }
}
