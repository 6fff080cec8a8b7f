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
//! on many, however busy the machine is.
//!
//! Nothing is judged by the clock. The tests count: increments made against
//! the final count; withdrawals that succeeded against the money there was;
//! every transfer that returned `Ok` against the final balances; every
//! `total()` seen while transfers run against the money in the bank. A
//! deadlock is a hang, and the watchdog turns it into a diagnosis.
//!
//! Observations are made on the watchdog's work thread; the verdicts are
//! given on the test's own thread, so a failure never reads as a panic of
//! the student's code.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use ex06::{count_with_threads, Bank, Counter, TransferError};
use grading::{check, fail, preempt_often, student_panic_message, within};

/// Real time any test may take before the watchdog stops it. The reference
/// needs at most a few tens of milliseconds per test, under a second on a
/// heavily overloaded machine.
const WATCHDOG: Duration = Duration::from_secs(5);

const COUNTER_HUNG: &str = "Counting never finished, though a correct solution needs a few \
    milliseconds here. A thread never ended, or waited forever for a lock.\n\
    Try: keep each lock only for the `+= 1` itself (a guard lives until the end of its block), \
    and let every thread end after its increments.";
const DEADLOCK: &str = "DEADLOCK: the transfers never finished. Two transfers in opposite \
    directions each hold one account's lock and wait for the other's: the thread moving money \
    from 0 to 1 holds 0 and waits for 1, the one moving money from 1 to 0 holds 1 and waits \
    for 0, forever.\n\
    Try: always lock the lower-numbered account first, whichever way the money goes \
    (`if from < to { lock from, then to } else { lock to, then from }`), or keep the whole bank \
    under one `Mutex`.";
const SAME_ACCOUNT_HUNG: &str = "transfer(1, 1, 5) never returned: it probably locked account \
    1 twice. std's `Mutex` is not re-entrant: a thread that locks a mutex it already holds \
    waits for itself, forever.\n\
    Try: `if from == to { return Err(TransferError::SameAccount) }` before locking anything.";
const BANK_HUNG: &str = "DEADLOCK: the bank's threads never finished, though a correct bank \
    needs a few milliseconds here. Threads waited forever for each other's locks.\n\
    Try: every function that holds several locks must take them in the same order: `transfer` \
    the lower-numbered account first, `total` every account in increasing number. And drop \
    each guard before you lock the same account again.";

// ---------------------------------------------------------------------------
// Small helpers.

/// The text a panic carries.
fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_string())
}

/// A panic of the student's code, explained the usual way (`todo!()` reads as
/// NOT STARTED).
fn explain_panic(text: &str) -> String {
    let payload: Box<dyn Any + Send> = Box::new(text.to_string());
    student_panic_message(payload.as_ref())
}

/// A tiny random number generator (xorshift64*): a different, repeatable
/// sequence for each worker.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
    }
}

/// Runs `work(0)`, ..., `work(n - 1)` on `n` threads, started together
/// (each waits at a barrier until all are ready) and each interrupted often
/// at arbitrary points (`grading::preempt_often`), and returns their results
/// in that order. If any of them panicked, returns the most telling panic
/// message instead: a panic while holding a lock poisons it, and the other
/// threads' `lock().unwrap()` then panic too, which says nothing about the
/// cause.
fn run_workers<R: Send>(n: usize, work: impl Fn(usize) -> R + Sync) -> Result<Vec<R>, String> {
    let gate = Barrier::new(n);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (work, gate) = (&work, &gate);
                thread::Builder::new()
                    // The grading crate's panic hook credits panics on threads
                    // of this name to the student's code.
                    .name("graded-work".into())
                    .spawn_scoped(scope, move || {
                        let _preempted = preempt_often(WATCHDOG);
                        gate.wait();
                        panic::catch_unwind(AssertUnwindSafe(|| work(i)))
                            .map_err(|payload| panic_text(payload.as_ref()))
                    })
                    .expect("the grader could not start a thread")
            })
            .collect();
        let mut results = Vec::new();
        let mut panics = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(Ok(result)) => results.push(result),
                Ok(Err(text)) => panics.push(text),
                Err(payload) => panics.push(panic_text(payload.as_ref())),
            }
        }
        if panics.is_empty() {
            return Ok(results);
        }
        let telling = panics
            .iter()
            .find(|t| t.contains("overflow"))
            .or_else(|| panics.iter().find(|t| !t.contains("PoisonError")))
            .unwrap_or(&panics[0]);
        Err(telling.clone())
    })
}

/// Calls `f` (the student's code, after the workers are done), turning a
/// panic into its message: after a panic while holding a lock, even
/// `balance` may panic on the poisoned lock.
fn catching<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panic_text(payload.as_ref()))
}

/// Counts down when dropped, even by a panic: "one worker fewer is busy".
struct Leaving<'a>(&'a AtomicUsize);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The balances of accounts `0..n` (`None` for a missing one).
fn balances(bank: &Bank, n: usize) -> Vec<Option<u64>> {
    (0..n).map(|i| bank.balance(i)).collect()
}

fn some(balances: &[u64]) -> Vec<Option<u64>> {
    balances.iter().map(|&b| Some(b)).collect()
}

/// `[Some(70), Some(80)]` shown as `[70, 80]`.
fn show(balances: &[Option<u64>]) -> String {
    let parts: Vec<String> = balances
        .iter()
        .map(|b| b.map_or_else(|| "None".to_string(), |b| b.to_string()))
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A worker panicked: an overflow in a bank test means an overdrawn account
/// (balances are `u64`, so taking 10 from 7 panics in a debug build).
#[track_caller]
fn judge_bank_panic(what: &str, text: &str) -> ! {
    if text.contains("subtract with overflow") {
        fail!(
            "{what}: your code panicked with \"{text}\": an account was overdrawn. Two transfers \
             both saw enough money in it and both took it out, so the second one took more \
             than was left.";
            try = "check the balance and withdraw under the SAME guard: lock both accounts \
                   first, then check `*from_balance < amount`, then move the money, all before \
                   the guards are dropped. A balance checked under one lock may be spent by \
                   another thread before a second lock withdraws it."
        );
    }
    if text.contains("add with overflow") {
        fail!(
            "{what}: your code panicked with \"{text}\": a balance grew past what the whole \
             bank holds, so money was created (a balance written back from a stale copy, or \
             an overdrawn account).";
            try = "read, check and change the balances only while holding the locks of both \
                   accounts, with one guard per account for the whole transfer."
        );
    }
    fail!("{what}:\n{}", explain_panic(text));
}

// ---------------------------------------------------------------------------
// The counter.

/// Judges a final count.
#[track_caller]
fn judge_count(what: &str, got: u64, want: u64) {
    if got < want {
        let lost = want - got;
        fail!(
            "{what}: the count is {got}, expected {want}: {lost} increments were lost. Two \
             threads read the same count, both added one, and both wrote back the same number: \
             reading, adding and writing back were not one indivisible step.";
            try = "`self.count.fetch_add(1, Ordering::Relaxed)` on an `AtomicU64` does all \
                   three at once; with a `Mutex<u64>`, `*self.count.lock().unwrap() += 1` holds \
                   ONE guard for the read and the write. `load` then `store`, or a lock to read \
                   and another lock to write, lets another thread in between."
        );
    }
    check!(
        got == want,
        "{what}: the count is {got}, expected {want}: more increments than were made.";
        try = "add exactly one per call to `increment`, and let `get` only read."
    );
}

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
    check!(
        fresh == 0,
        "Counter::new().get() is {fresh}, expected 0.";
        try = "start the count at zero."
    );
    check!(
        default == 0,
        "Counter::default().get() is {default}, expected 0."
    );
    judge_count("one increment on one thread", after_one, 1);
    judge_count("ten increments on one thread", after_ten, 10);
}

#[test]
fn many_threads_never_lose_an_increment() {
    const THREADS: usize = 8;
    const EACH: u64 = 20_000;
    let outcome = within(WATCHDOG, COUNTER_HUNG, || -> Result<u64, String> {
        let counter = Counter::new();
        run_workers(THREADS, |_| {
            for _ in 0..EACH {
                counter.increment();
            }
        })?;
        catching(|| counter.get())
    });
    let what = format!("{THREADS} threads each called `increment` {EACH} times on one counter");
    let got = outcome.unwrap_or_else(|text| fail!("{what}:\n{}", explain_panic(&text)));
    judge_count(&what, got, THREADS as u64 * EACH);
}

#[test]
fn count_with_threads_returns_the_exact_count() {
    let outcome = within(WATCHDOG, COUNTER_HUNG, || -> Result<_, String> {
        let one = count_with_threads(1, 200_000);
        let many = count_with_threads(8, 25_000);
        let none = (count_with_threads(0, 1000), count_with_threads(4, 0));
        // Does the counter itself lose increments? Then a short count says
        // nothing about waiting for the threads.
        let counter = Counter::new();
        run_workers(4, |_| {
            for _ in 0..10_000 {
                counter.increment();
            }
        })?;
        let sound = catching(|| counter.get())? == 40_000;
        Ok((one, many, none, sound))
    });
    let (one, many, (no_threads, no_work), sound) =
        outcome.unwrap_or_else(|text| fail!("count_with_threads:\n{}", explain_panic(&text)));
    const WAIT: &str = "wait for every thread before reading the count: `std::thread::scope` \
        does, or `join` every `JoinHandle` first.";
    check!(
        one <= 200_000,
        "count_with_threads(1, 200000) returned {one}: more increments than were made."
    );
    check!(
        one == 200_000,
        "count_with_threads(1, 200000) returned {one}, expected 200000. One thread cannot lose \
         an increment: the count was read before the thread had finished.";
        try = "{WAIT}"
    );
    if many < 200_000 && sound {
        fail!(
            "count_with_threads(8, 25000) returned {many}, expected 200000, though your Counter \
             loses no increment when the grader's own threads share it: the count was read \
             before every thread had finished.";
            try = "{WAIT}"
        );
    }
    judge_count("count_with_threads(8, 25000)", many, 200_000);
    check!(
        no_threads == 0,
        "count_with_threads(0, 1000) returned {no_threads}, expected 0: no threads, no \
         increments."
    );
    check!(
        no_work == 0,
        "count_with_threads(4, 0) returned {no_work}, expected 0."
    );
}

// ---------------------------------------------------------------------------
// The bank, one thread at a time: a model says what each call must do.

/// What the exercise sheet says `transfer` does, on plain numbers.
fn model_transfer(
    balances: &mut [u64],
    from: usize,
    to: usize,
    amount: u64,
) -> Result<(), TransferError> {
    let n = balances.len();
    if from >= n {
        return Err(TransferError::NoSuchAccount(from));
    }
    if to >= n {
        return Err(TransferError::NoSuchAccount(to));
    }
    if from == to {
        return Err(TransferError::SameAccount);
    }
    if balances[from] < amount {
        return Err(TransferError::InsufficientFunds {
            needed: amount,
            available: balances[from],
        });
    }
    balances[from] -= amount;
    balances[to] += amount;
    Ok(())
}

/// What the bank did at one step of a script (if it did not panic).
struct Seen {
    result: Result<(), TransferError>,
    balances: Vec<Option<u64>>,
    total: u64,
}

/// Runs the transfers one after another on a fresh bank, under the
/// watchdog, and checks each step against the model.
#[track_caller]
fn judge_script(start: &[u64], steps: &[(usize, usize, u64)], on_hang: &str) {
    let n = start.len();
    let (initial, initial_total, seen) = {
        let start = start.to_vec();
        let steps = steps.to_vec();
        within(WATCHDOG, on_hang, move || {
            let bank = Bank::new(&start);
            let initial = balances(&bank, n + 1);
            let initial_total = bank.total();
            let mut seen = Vec::new();
            for &(from, to, amount) in &steps {
                let step = catching(|| {
                    let result = bank.transfer(from, to, amount);
                    Seen {
                        result,
                        balances: balances(&bank, n + 1),
                        total: bank.total(),
                    }
                });
                let panicked = step.is_err();
                seen.push(step);
                if panicked {
                    break;
                }
            }
            (initial, initial_total, seen)
        })
    };
    let mut want_balances = some(start);
    want_balances.push(None);
    check!(
        initial == want_balances,
        "Bank::new(&{start:?}): the balances of accounts 0..={n} are {}, expected {} (account \
         {n} does not exist).",
        show(&initial),
        show(&want_balances);
        try = "keep one balance per account, in order; `balance(i)` is `None` for `i >= n` \
               (`self.accounts.get(i)`)."
    );
    let sum: u64 = start.iter().sum();
    check!(
        initial_total == sum,
        "Bank::new(&{start:?}).total() is {initial_total}, expected {sum}.";
        try = "add up every account's balance."
    );
    let mut model = start.to_vec();
    for (&(from, to, amount), seen) in steps.iter().zip(&seen) {
        let before = some(&model);
        let want = model_transfer(&mut model, from, to, amount);
        let call = format!(
            "transfer({from}, {to}, {amount}) on balances {}",
            show(&before)
        );
        let seen = match seen {
            Ok(seen) => seen,
            Err(text) if text.contains("subtract with overflow") => fail!(
                "{call} panicked with \"{text}\": it took more than account {from} holds.";
                try = "compare the balance with the amount first, and refuse with \
                       `Err(TransferError::InsufficientFunds {{ needed: amount, available }})` \
                       without changing anything."
            ),
            Err(text) => fail!("{call}:\n{}", explain_panic(text)),
        };
        if seen.result != want {
            let hint = match (&want, &seen.result) {
                (Err(TransferError::NoSuchAccount(_)), _) => {
                    "check the accounts first: `from`, then `to`; `self.accounts.get(i)` is \
                     `None` for a missing one"
                }
                (Err(TransferError::SameAccount), _) => {
                    "after checking that both accounts exist, refuse `from == to` before \
                     looking at the money"
                }
                (Err(TransferError::InsufficientFunds { .. }), Ok(())) => {
                    "an account may not pay more than it holds"
                }
                (Err(TransferError::InsufficientFunds { .. }), Err(_)) => {
                    "`needed` is the amount, `available` what `from` holds"
                }
                (Ok(()), _) => {
                    "a transfer between two existing, different accounts succeeds when `from` \
                     holds at least `amount` (all of it may go)"
                }
            };
            fail!(
                "{call} returned {:?}, expected {want:?}.",
                seen.result;
                try = "{hint}."
            );
        }
        let want_balances = {
            let mut b = some(&model);
            b.push(None);
            b
        };
        check!(
            seen.balances == want_balances,
            "after {call} (which returned {want:?}), the balances are {}, expected {}.",
            show(&seen.balances[..n]),
            show(&want_balances[..n]);
            try = "{}",
            if want.is_ok() {
                "take `amount` from `from` and add it to `to`, nothing else."
            } else {
                "a refused transfer changes no balance."
            }
        );
        check!(
            seen.total == sum,
            "after {call}, total() is {}, expected {sum}: transfers move money, they neither \
             make nor lose any.",
            seen.total
        );
    }
}

#[test]
fn a_new_bank_knows_its_balances() {
    judge_script(&[100, 0, 250, 7], &[], BANK_HUNG);
    judge_script(&[], &[], BANK_HUNG);
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
        BANK_HUNG,
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
            (1, 0, 20),
            (0, 3, 1),
        ],
        BANK_HUNG,
    );
}

#[test]
fn transfer_to_the_same_account_is_refused() {
    judge_script(
        &[10, 20, 30],
        &[(1, 1, 5), (0, 0, 1000), (2, 2, 0), (1, 2, 20)],
        SAME_ACCOUNT_HUNG,
    );
}

// ---------------------------------------------------------------------------
// The bank under stress.

/// What one worker of a stress test saw go wrong (the first time).
type Trouble = Option<String>;

#[test]
fn opposite_transfers_never_deadlock() {
    const THREADS: usize = 4;
    const EACH: u64 = 20_000;
    // Each direction's threads take out at most 2 * EACH: nobody runs short.
    let start = [2 * EACH, 2 * EACH];
    let outcome = within(WATCHDOG, DEADLOCK, move || -> Result<_, String> {
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
    if let Some(trouble) = troubles.into_iter().flatten().next() {
        fail!("{what}: {trouble}."; try = "refuse a transfer only when `from` holds less than `amount`.");
    }
    check!(
        end == some(&start),
        "{what}; afterwards the balances are {}, expected {} (as much went each way).",
        show(&end),
        show(&some(&start));
        try = "hold both accounts' locks for the whole transfer, from the check to the deposit."
    );
}

#[test]
fn only_the_funded_withdrawals_succeed() {
    const ROUNDS: usize = 12;
    const THREADS: usize = 8;
    const AMOUNT: u64 = 10;
    const FUNDS: u64 = 37;
    const FUNDED: usize = (FUNDS / AMOUNT) as usize;
    const LEFT: u64 = FUNDS % AMOUNT;
    type Round = (Vec<Result<(), TransferError>>, Vec<Option<u64>>, u64);
    let rounds: Result<Vec<Round>, String> = within(WATCHDOG, BANK_HUNG, || {
        (0..ROUNDS)
            .map(|_| {
                let mut start = vec![0; THREADS + 1];
                start[0] = FUNDS;
                let bank = Bank::new(&start);
                // All threads withdraw at the same moment.
                let results = run_workers(THREADS, |i| bank.transfer(0, i + 1, AMOUNT))?;
                let (end, total) = catching(|| (balances(&bank, THREADS + 1), bank.total()))?;
                Ok((results, end, total))
            })
            .collect()
    });
    let what = format!(
        "{THREADS} threads at once each tried to move {AMOUNT} out of account 0, which holds \
         {FUNDS}"
    );
    let rounds = rounds.unwrap_or_else(|text| judge_bank_panic(&what, &text));
    let refused = TransferError::InsufficientFunds {
        needed: AMOUNT,
        available: LEFT,
    };
    for (results, end, total) in rounds {
        let succeeded = results.iter().filter(|r| r.is_ok()).count();
        if succeeded > FUNDED {
            fail!(
                "{what}: {succeeded} of them succeeded, but the money was there for only \
                 {FUNDED}: the account was overdrawn.";
                try = "check the balance and withdraw under the same guard, so that no other \
                       transfer can spend the money in between."
            );
        }
        if let Some(wrong) = results
            .iter()
            .find(|r| r.is_err() && **r != Err(refused.clone()))
        {
            fail!(
                "{what}: a refused transfer returned {wrong:?}, expected Err({refused:?}): \
                 the account holds {LEFT} once {FUNDED} transfers have succeeded.";
                try = "`available` is what the paying account holds when the transfer is refused."
            );
        }
        check!(
            succeeded == FUNDED,
            "{what}: only {succeeded} succeeded, but there was money for {FUNDED}.";
            try = "refuse a transfer only when the paying account holds less than the amount."
        );
        let mut want = vec![Some(0); THREADS + 1];
        want[0] = Some(LEFT);
        for (i, r) in results.iter().enumerate() {
            if r.is_ok() {
                want[i + 1] = Some(AMOUNT);
            }
        }
        check!(
            end == want,
            "{what}: {FUNDED} succeeded, but then the balances are {}, expected {}.",
            show(&end),
            show(&want);
            try = "hold both accounts' locks for the whole transfer, from the check to the \
                   deposit."
        );
        check!(
            total == FUNDS,
            "{what}: afterwards total() is {total}, expected {FUNDS}."
        );
    }
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
    let outcome = within(WATCHDOG, BANK_HUNG, || -> Result<_, String> {
        let mut start = vec![0; PAIRS + 1];
        start[SHARED] = FUNDS;
        let bank = Bank::new(&start);
        let workers = run_workers(THREADS, |i| -> (usize, Trouble) {
            let mine = i / 2;
            let mut successes = 0;
            for _ in 0..EACH {
                match bank.transfer(SHARED, mine, AMOUNT) {
                    Ok(()) => {
                        successes += 1;
                        if let Err(e) = bank.transfer(mine, SHARED, AMOUNT) {
                            return (
                                successes,
                                Some(format!(
                                    "giving the {AMOUNT} back with transfer({mine}, \
                                     {SHARED}, {AMOUNT}) returned Err({e:?}), though \
                                     account {mine} had just received it"
                                )),
                            );
                        }
                    }
                    Err(TransferError::InsufficientFunds { needed, available })
                        if needed == AMOUNT && available == LEFT => {}
                    Err(e) => {
                        return (
                            successes,
                            Some(format!(
                                "transfer({SHARED}, {mine}, {AMOUNT}) returned Err({e:?}); \
                                 account {SHARED} holds {FUNDS} or {LEFT}, so expected \
                                 Ok(()) or Err({:?})",
                                TransferError::InsufficientFunds {
                                    needed: AMOUNT,
                                    available: LEFT
                                }
                            )),
                        );
                    }
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
    if let Some(trouble) = workers.iter().find_map(|(_, t)| t.clone()) {
        fail!("{what}: {trouble}.");
    }
    let successes: usize = workers.iter().map(|(s, _)| s).sum();
    check!(
        successes > 0,
        "{what}: not one withdrawal succeeded, though account {SHARED} had money for one.";
        try = "refuse a transfer only when the paying account holds less than the amount."
    );
    let mut want = vec![Some(0); PAIRS + 1];
    want[SHARED] = Some(FUNDS);
    check!(
        end == want,
        "{what}: afterwards the balances are {}, expected {} (all the money back in account \
         {SHARED}): money was made or lost, for instance when two transfers both saw the last \
         {AMOUNT} and the account was overdrawn.",
        show(&end),
        show(&want);
        try = "check the balance and withdraw under the same guard, and hold both accounts' \
               locks from the check to the deposit."
    );
}

#[test]
fn total_is_one_consistent_snapshot() {
    const ACCOUNTS: usize = 8;
    const MOVERS: usize = 3;
    const EACH: usize = 3_000;
    const START: u64 = 1_000;
    const SUM: u64 = START * ACCOUNTS as u64;
    /// What the observer saw: calls, wrong totals, the first wrong one.
    type Looks = (usize, usize, Option<u64>);
    let outcome: Result<Vec<Looks>, String> = within(WATCHDOG, BANK_HUNG, || {
        let bank = Bank::new(&[START; ACCOUNTS]);
        let moving = AtomicUsize::new(MOVERS);
        run_workers(MOVERS + 1, |i| -> Looks {
            if i == MOVERS {
                // The observer: total() again and again while money moves.
                let (mut calls, mut wrong, mut first) = (0, 0, None);
                while moving.load(Ordering::SeqCst) > 0 {
                    let total = bank.total();
                    calls += 1;
                    if total != SUM {
                        wrong += 1;
                        first.get_or_insert(total);
                    }
                }
                return (calls, wrong, first);
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
            (0, 0, None)
        })
    });
    let what = format!(
        "while {MOVERS} threads moved money between {ACCOUNTS} accounts holding {SUM} in all, \
         another thread called total()"
    );
    let looks = outcome.unwrap_or_else(|text| judge_bank_panic(&what, &text));
    let (calls, wrong, first) = looks[MOVERS];
    if let Some(first) = first {
        fail!(
            "{what} {calls} times, and {wrong} of them returned a wrong total (the first: \
             {first} instead of {SUM}): they saw money in flight, already gone from one account \
             but not yet arrived in the other, or counted in both.";
            try = "in `total`, lock EVERY account (in increasing number, the order `transfer` \
                   uses) before reading any balance, and keep all the guards until the sum is \
                   done. And in `transfer`, hold both accounts' locks from the withdrawal to \
                   the deposit."
        );
    }
}

#[test]
fn random_transfers_keep_every_account_exact() {
    const THREADS: usize = 4;
    const EACH: usize = 6_000;
    const START: [u64; 6] = [40, 0, 25, 5, 100, 0];
    const N: usize = START.len();
    /// One worker's bookkeeping: the net change its successful transfers
    /// made to each account, how many succeeded, and what went wrong.
    type Book = ([i64; N], usize, Trouble);
    let outcome = within(WATCHDOG, BANK_HUNG, || -> Result<_, String> {
        let bank = Bank::new(&START);
        let books = run_workers(THREADS, |i| -> Book {
            let mut rng = Rng::new(100 + i as u64);
            let mut net = [0i64; N];
            let mut succeeded = 0;
            for _ in 0..EACH {
                let from = rng.below(N as u64) as usize;
                let to = (from + 1 + rng.below(N as u64 - 1) as usize) % N;
                let amount = 1 + rng.below(40);
                match bank.transfer(from, to, amount) {
                    Ok(()) => {
                        succeeded += 1;
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
                        return (net, succeeded, Some(trouble));
                    }
                }
            }
            (net, succeeded, None)
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
    if let Some(trouble) = books.iter().find_map(|(_, _, t)| t.clone()) {
        fail!("{what}: {trouble}.");
    }
    let succeeded: usize = books.iter().map(|(_, s, _)| s).sum();
    let want: Vec<Option<u64>> = (0..N)
        .map(|a| {
            let net: i64 = books.iter().map(|(n, _, _)| n[a]).sum();
            u64::try_from(START[a] as i64 + net).ok()
        })
        .collect();
    let held: u64 = end.iter().flatten().sum();
    if held != sum {
        let change = if held > sum {
            format!("{} was created", held - sum)
        } else {
            format!("{} was lost", sum - held)
        };
        fail!(
            "{what}: afterwards the accounts hold {} = {held} in all, but the bank had {sum}: \
             {change}. Two transfers changed the same balance at once and one change overwrote \
             the other.",
            show(&end);
            try = "hold the locks of both accounts for the whole transfer: read, check and \
                   write each balance through the same guard, never through a copy taken under \
                   an earlier lock."
        );
    }
    check!(
        end == want,
        "{what}: the {succeeded} transfers that returned Ok leave the balances {}, but the bank \
         shows {}. The total is right, but money went to the wrong accounts: two transfers \
         changed the same balance at once and one change overwrote the other (or a transfer \
         moved another amount than it said).",
        show(&want),
        show(&end);
        try = "hold the locks of both accounts for the whole transfer, and move exactly \
               `amount` from `from` to `to` in every successful transfer, nothing in a refused \
               one."
    );
    check!(
        total == sum,
        "{what}: afterwards total() is {total}, but the accounts hold {held}."
    );
}
