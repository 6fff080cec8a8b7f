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
pub struct Counter {}

impl Counter {
    /// A counter at zero.
    pub fn new() -> Counter {
        todo!("a counter at zero")
    }
}

impl Count for Counter {
    fn increment(&self) {
        todo!("add one in a single indivisible step")
    }

    fn get(&self) -> u64 {
        todo!("read the count")
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
    let _ = (counter, threads, per_thread);
    todo!("`threads` scoped threads, all started before any is waited for, then the count")
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
pub struct Bank {}

impl Bank {
    /// A bank with one account per balance: account `i` starts with
    /// `balances[i]`.
    pub fn new(balances: &[u64]) -> Bank {
        let _ = balances;
        todo!("one account per balance")
    }

    /// The balance of `account`, or `None` if there is no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        let _ = account;
        todo!("the balance, or None for a missing account")
    }

    /// The sum of all balances, as one consistent snapshot: even while other
    /// threads transfer money, it always equals what the accounts held at one
    /// single moment (money in flight would be counted twice, or not at all).
    pub fn total(&self) -> u64 {
        todo!("hold every account at once while you add them up")
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
        let _ = (from, to, amount);
        todo!("check the accounts, lock both (lower number first), then check the funds and move the money")
    }
}
