//! # Exercise 6: race conditions and locks
//!
//! In Python, four threads that each run `counter += 1` a hundred thousand
//! times can end with less than 400 000. `+=` is three steps: read the value,
//! add one, write it back. When two threads read the same value, both write
//! back the same number, and one increment is lost. The cure is a
//! `threading.Lock`: `with lock: counter += 1` lets one thread at a time do
//! all three steps. Locks bring their own trap, the classic bank transfer:
//! one thread locks account A and then B, another locks B and then A, and
//! each waits forever for the lock the other one holds. That is a *deadlock*.
//!
//! Rust turns part of this into compile errors: threads cannot share a plain
//! `u64` that they write to, so the bare `counter += 1` race does not even
//! compile. What does compile is the same mistake one level up: correct
//! atomics or locks, used in two steps where one was needed (`load` and then
//! `store`; check a balance under one lock and withdraw it under another).
//! The compiler rules out *data races*; *race conditions* and deadlocks are
//! still yours to avoid.
//!
//! ## Your task
//! 1. [`Counter`]: a counter that many threads increment at once through a
//!    shared `&Counter`, without ever losing an increment. You choose its
//!    fields, and write its [`Count`] methods.
//! 2. [`count_with_threads`]: start `threads` threads that **run at the same
//!    time**, each calling `counter.increment()` `per_thread` times on the
//!    one counter it is given, wait for all of them, and return
//!    `counter.get()`. It works with any [`Count`]: yours, or the tests'
//!    counters, which note which threads call them and when.
//! 3. [`Bank`]: accounts numbered `0..n`, shared by many threads.
//!    [`Bank::transfer`] moves money in one indivisible step: no thread ever
//!    sees the money gone from one account but not yet in the other, an
//!    account never pays out more than it holds, and two threads transferring
//!    in opposite directions never deadlock. [`Bank::total`] adds up all the
//!    balances as one consistent snapshot, even while transfers run.
//!
//! ## Useful tools
//! - [`AtomicU64::fetch_add`](std::sync::atomic::AtomicU64::fetch_add) reads,
//!   adds and writes back in one indivisible step, and never waits: ideal for
//!   a single number. A [`Mutex<u64>`](std::sync::Mutex) works too
//!   (`*self.count.lock().unwrap() += 1` holds the lock for the whole
//!   statement), and a mutex is the tool as soon as several values must
//!   change together, like two balances.
//! - [`Mutex::lock`](std::sync::Mutex::lock) returns a *guard*: the lock is
//!   held while the guard lives, and released when it is dropped (at the end
//!   of its block, or with `drop(guard)`). `let b = *m.lock().unwrap();`
//!   copies the value and releases the lock at once.
//! - [`std::thread::scope`]: its threads may borrow the counter, and it
//!   returns only when every one of them has finished. Start every thread
//!   first, then wait: the scope does the waiting for you at its end.
//! - **Lock ordering**: when every thread that needs several locks takes them
//!   in the same order (say, the lower account number first), no two threads
//!   can each hold a lock the other one waits for, so there is no deadlock.
//!
//! One `Mutex<Vec<u64>>` for the whole bank is correct, and simpler: one
//! lock, no question of order. Its price: every transfer waits for every
//! other one, even when they touch different accounts. One `Mutex<u64>` per
//! account lets transfers between different accounts run in parallel; then
//! `transfer` must hold both of its accounts' locks, taken in a fixed order,
//! and `total` must hold all of them at once.
//!
//! ## Watch out
//! - Start every thread before you wait for any. Python's `t.start();
//!   t.join()` in one loop, or `s.spawn(..).join()` in Rust, waits for each
//!   thread before it starts the next: no two ever run at once, and a
//!   counter that loses increments would still look right. One lock held
//!   around a thread's whole loop (`with lock:` around the `for`) does the
//!   same. And `(0..n).map(|_| s.spawn(..))` is lazy: it spawns a thread
//!   only when the next step of the iterator asks for one.
//! - The value a `thread::scope` closure returns is computed *before* the
//!   scope waits for its threads: read the count after the scope.
//! - The check and the change belong under one lock. A balance checked under
//!   one guard may have been spent by another thread by the time a second
//!   guard withdraws it.
//! - std's `Mutex` is not re-entrant: a thread that locks a mutex it already
//!   holds waits for itself, forever (or panics). `transfer(3, 3, 10)` must
//!   return `Err(SameAccount)` before it locks anything.
//!
//! [`Counter`] and [`Bank`] are shared as `&` references by many threads, so
//! they must be `Sync`: `Mutex` and the atomics are, `Cell` and `RefCell` are
//! not (with those, your file or the tests do not compile).
//!
//! Run `cargo test -p ex06` to check your work. The tests hammer your code
//! from many threads, thousands of times, and keep stopping those threads
//! at random points for a moment: a race that would strike once a week in
//! production strikes within milliseconds there. Their own counters hold
//! your threads at a meeting point until all of them have started, so they
//! see whether the threads really run at the same time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;

/// Provided: what [`count_with_threads`] needs of a counter. [`Counter`]
/// implements it; so do the tests' counters, which note which threads call
/// them, and when. (`Sync`: threads share it through a `&` reference.)
pub trait Count: Sync {
    /// Adds one, even while other threads add at the same time: no increment
    /// is ever lost.
    fn increment(&self);

    /// The count so far.
    fn get(&self) -> u64;
}

/// A counter that many threads increment at once, through a shared `&Counter`.
///
/// Choose its fields: none of its methods takes `&mut self`, so the count
/// must live in something that threads may change through a shared reference.
pub struct Counter {
    // An atomic can be changed through `&self`, by many threads at once.
    // (A `Mutex<u64>` would be correct too, but every increment would take
    // and release a lock; `fetch_add` is one instruction, and never waits.)
    count: AtomicU64,
}

impl Counter {
    /// A counter at zero.
    pub fn new() -> Counter {
        Counter {
            count: AtomicU64::new(0),
        }
    }
}

impl Count for Counter {
    fn increment(&self) {
        // Read, add and write back as ONE step: no other thread can slip in
        // between. `load` followed by `store` would be two steps, and two
        // threads could both load 41 and both store 42.
        //
        // `Relaxed` is enough: the count is the only data, and no other
        // memory has to be published with it. (Whoever reads the final count
        // after joining the threads sees every increment: joining orders
        // everything the threads did before it.)
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// Provided: `Counter::default()` is `Counter::new()`.
impl Default for Counter {
    fn default() -> Counter {
        Counter::new()
    }
}

/// Starts `threads` threads that run at the same time, each calling
/// `counter.increment()` `per_thread` times, waits until every one of them
/// has finished, and returns `counter.get()`.
///
/// `count_with_threads(&Counter::new(), 4, 100_000)` is 400 000.
pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    // Scoped threads may borrow `counter`: the scope returns only after every
    // thread spawned in it has ended. No `Arc` needed. The loop only starts
    // threads; the waiting happens once, at the end of the scope, so all of
    // them run at the same time.
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| increment_times(counter, per_thread));
        }
    });
    // After the scope: every increment is done.
    counter.get()
}

/// One thread's work: `times` increments of `counter`.
fn increment_times(counter: &impl Count, times: u64) {
    for _ in 0..times {
        counter.increment();
    }
}

/// Provided: why [`Bank::transfer`] refused to move the money. When it
/// refuses, no balance changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferError {
    /// The bank has no account with this number.
    NoSuchAccount(usize),
    /// `from` and `to` are the same account.
    SameAccount,
    /// The paying account holds less than the amount.
    InsufficientFunds {
        /// The amount of the transfer.
        needed: u64,
        /// What the paying account held when the transfer was refused.
        available: u64,
    },
}

/// A bank of accounts numbered `0..n`, shared as `&Bank` by many threads at
/// once (so it must be `Sync`).
///
/// Choose its fields. The sum of all balances is assumed to fit in a `u64`.
pub struct Bank {
    // One lock per account: transfers between different accounts run in
    // parallel. The rule that keeps this deadlock-free: whoever needs several
    // accounts locks them in increasing account number.
    accounts: Vec<Mutex<u64>>,
}

/// Locks one account. A mutex is "poisoned" when a thread panicked while
/// holding it; nothing in this file panics between two changes of a balance,
/// so a poisoned balance is still a whole number: use it.
fn lock(account: &Mutex<u64>) -> MutexGuard<'_, u64> {
    account.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Bank {
    /// A bank with one account per balance: account `i` starts with
    /// `balances[i]`.
    pub fn new(balances: &[u64]) -> Bank {
        Bank {
            accounts: balances.iter().map(|&b| Mutex::new(b)).collect(),
        }
    }

    /// The balance of `account`, or `None` if there is no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        // The guard is a temporary: the lock is released at the end of the
        // statement, after the value has been copied out.
        self.accounts.get(account).map(|a| *lock(a))
    }

    /// The sum of all balances, as one consistent snapshot: even while other
    /// threads transfer money, it always equals what the accounts held at one
    /// single moment (money in flight would be counted twice, or not at all).
    pub fn total(&self) -> u64 {
        // First take EVERY lock, in increasing account number (the same order
        // as `transfer`, so the two cannot deadlock), and only then add up.
        // Summing one account at a time, each under its own short lock, would
        // let a transfer run between two reads and be counted twice or not
        // at all.
        let guards: Vec<MutexGuard<'_, u64>> = self.accounts.iter().map(lock).collect();
        guards.iter().map(|balance| **balance).sum()
        // `guards` is dropped here, which releases every lock.
    }

    /// Moves `amount` from account `from` to account `to`, in one indivisible
    /// step: it never overdraws `from`, never loses or creates money, and
    /// never deadlocks, even while other threads transfer the other way.
    ///
    /// Refuses, changing nothing, with the first of these that applies:
    /// [`TransferError::NoSuchAccount`]`(from)`, then `NoSuchAccount(to)`,
    /// then [`TransferError::SameAccount`] when `from == to`, then
    /// [`TransferError::InsufficientFunds`] `{ needed: amount, available }`
    /// where `available` is what `from` holds.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        self.check_accounts(from, to)?;
        let (mut paying, mut receiving) = self.lock_both(from, to);
        // Check and change under the same guards: nobody can spend the money
        // between the check and the withdrawal, and nobody sees it in flight.
        withdraw(&mut paying, amount)?;
        *receiving += amount;
        Ok(())
        // Both guards are dropped here: both locks are released together.
    }

    /// Refuses, before any lock, a transfer that cannot be made whatever the
    /// balances: [`TransferError::NoSuchAccount`]`(from)`, then
    /// `NoSuchAccount(to)`, then [`TransferError::SameAccount`].
    fn check_accounts(&self, from: usize, to: usize) -> Result<(), TransferError> {
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::NoSuchAccount(account));
            }
        }
        // Before any lock: locking the same mutex twice would wait forever.
        if from == to {
            return Err(TransferError::SameAccount);
        }
        Ok(())
    }

    /// Locks accounts `from` and `to`, the lower-numbered one first, and
    /// returns their guards as `(paying, receiving)`. (`check_accounts` has
    /// made sure that both exist and differ: indexing cannot panic.)
    fn lock_both(&self, from: usize, to: usize) -> (MutexGuard<'_, u64>, MutexGuard<'_, u64>) {
        let (payer, payee) = (&self.accounts[from], &self.accounts[to]);
        // Lock ordering: the lower account number first, whichever way the
        // money goes. Two opposite transfers between 3 and 7 both lock 3 and
        // then 7: the second one waits for 3 while holding nothing, so it
        // can never hold 7 while the first one waits for it.
        if from < to {
            let paying = lock(payer);
            (paying, lock(payee))
        } else {
            let receiving = lock(payee);
            (lock(payer), receiving)
        }
    }
}

/// Takes `amount` out of `balance`, or refuses with `InsufficientFunds`,
/// changing nothing, when the balance is smaller.
fn withdraw(balance: &mut u64, amount: u64) -> Result<(), TransferError> {
    if *balance < amount {
        return Err(TransferError::InsufficientFunds {
            needed: amount,
            available: *balance,
        });
    }
    *balance -= amount;
    Ok(())
}
