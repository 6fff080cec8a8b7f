//! The judges: what each observation means, and what to try.

use ex06::{Bank, TransferError};
use std::time::Duration;

use grading::{count, fmt_duration, ms, record_student_panic, Cause, Clock, Diagnosis, Timeline};

use crate::probe::{balances, catching, Counted, PATIENCE};
use crate::WATCHDOG;

pub const COUNTER_HUNG: &str = "Counting never finished, though a correct solution needs a few \
    milliseconds here. Most likely a thread waited forever for a lock (one it held itself, or \
    one never released), or never left a loop.\n\
    Try: keep each lock only for the `+= 1` itself (a guard lives until the end of its block), \
    and let every thread end after its increments.";
pub const COUNTING_HUNG: &str = "`count_with_threads` never returned, though a correct solution \
    needs a few milliseconds here. A thread never ended, or the function waits for something \
    that never comes.\n\
    Try: spawn the threads inside `std::thread::scope`; each one runs its `per_thread` \
    increments and ends, and the scope returns once they all have.";
pub const DEADLOCK: &str = "The transfers never finished, though a correct bank needs a few \
    milliseconds here. Most likely a DEADLOCK: two transfers in opposite directions each hold \
    one account's lock and wait for the other's: the thread moving money from 0 to 1 holds 0 \
    and waits for 1, the one moving money from 1 to 0 holds 1 and waits for 0, forever.\n\
    Try: always lock the lower-numbered account first, whichever way the money goes \
    (`if from < to { lock from, then to } else { lock to, then from }`), or keep the whole bank \
    under one `Mutex`.";
pub const SAME_ACCOUNT_HUNG: &str = "A transfer from an account to itself never returned \
    (this test starts with transfer(1, 1, 5)). Most likely it locked the account twice: \
    std's `Mutex` is not re-entrant, and a thread that locks a mutex it already holds waits for \
    itself, forever.\n\
    Try: `if from == to { return Err(TransferError::SameAccount) }` before locking anything.";
pub const BANK_HUNG: &str = "The bank's threads never finished, though a correct bank needs \
    a few milliseconds here. Most likely a DEADLOCK: threads waited forever for each other's \
    locks (or one thread for a lock it held itself).\n\
    Try: every function that holds several locks must take them in the same order: `transfer` \
    the lower-numbered account first, `total` every account in increasing number. And drop \
    each guard before you lock the same account again.";

/// A watchdog diagnosis from one of the texts above ("observed\nTry: advice"),
/// listing `causes`: a hang proves none of them.
fn hang(text: &str, causes: impl IntoIterator<Item = Cause>) -> Diagnosis {
    let (observed, advice) = text.split_once("\nTry: ").unwrap_or((text, ""));
    Diagnosis::new(observed).candidates(causes).advice(advice)
}

/// Transfers in opposite directions never finished.
pub fn deadlock() -> Diagnosis {
    hang(DEADLOCK, [Cause::LockOrder, Cause::BusyLoop])
}

/// The bank's threads never finished.
pub fn bank_hung() -> Diagnosis {
    hang(BANK_HUNG, [Cause::LockOrder, Cause::BusyLoop])
}

/// A call of a one-call-at-a-time script never returned: no other thread
/// can hold a lock then, so lock order is not among the causes.
pub fn script_hung() -> Diagnosis {
    Diagnosis::new(
        "A call never returned, though this test makes one call at a time, so no other \
         thread held a lock: the thread waits for a lock it already holds (std's `Mutex` is \
         not re-entrant: lock an account, then lock it again before the first guard is \
         dropped), or it never leaves a loop.",
    )
    .candidates([Cause::BusyLoop])
    .advice(
        "drop each guard before you lock the same account again (a guard lives until the end \
         of its block, or `drop(guard)`), and make sure every loop ends.",
    )
}

/// What to try when a transfer was refused (or refused the wrong way) while
/// many threads transfer.
pub const REFUSE_ONLY_WHEN_SHORT: &str = "a transfer between two existing, different accounts \
    succeeds when `from` holds at least `amount` (all of it may go), and otherwise returns \
    `InsufficientFunds` with what `from` holds at that moment: check and withdraw under the \
    same guard.";

/// A panic of the student's code, explained the usual way (`todo!()` reads as
/// NOT STARTED). Call it on the test's thread.
pub fn explain_panic(text: &str) -> String {
    let payload: Box<dyn std::any::Any + Send> = Box::new(text.to_string());
    record_student_panic(payload.as_ref())
}

// ---------------------------------------------------------------------------
// The counter.

/// Judges a count made on ONE thread: no race can lose an increment there.
#[track_caller]
pub fn judge_one_thread(what: &str, got: u64, want: u64) {
    if got < want {
        Diagnosis::new(format!(
            "{what}, with no other thread around, get() is {got}, expected {want}: the \
             increments did not reach the count. Most likely `increment` adds one to a copy: \
             `let mut n = *self.count.lock().unwrap(); n += 1;` (or `let mut n = \
             self.count.load(..); n += 1;`) changes `n`, not the counter."
        ))
        .advice(
            "change the count itself: `*self.count.lock().unwrap() += 1`, or \
                   `self.count.fetch_add(1, Ordering::Relaxed)`.",
        )
        .fail();
    }
    if got != want {
        Diagnosis::new(format!(
            "{what}, get() is {got}, expected {want}: more than one per increment."
        ))
        .advice("add exactly one per call to `increment`, and let `get` only read.")
        .fail();
    }
}

/// Judges the count of a counter that many threads incremented, once it is
/// known to count right on one thread.
#[track_caller]
pub fn judge_shared_count(what: &str, got: u64, want: u64) {
    if got < want {
        Diagnosis::new(format!(
            "{what}: the count is {got}, expected {want}: {} were lost, though one thread \
             alone counts right. Two threads read the same count, both added one, and both \
             wrote back the same number: reading, adding and writing back were not one \
             indivisible step.",
            count((want - got) as usize, "increment")
        ))
        .cause(Cause::LostUpdate)
        .advice(
            "`self.count.fetch_add(1, Ordering::Relaxed)` on an `AtomicU64` does all \
                   three at once; with a `Mutex<u64>`, `*self.count.lock().unwrap() += 1` holds \
                   ONE guard for the read and the write. `load` then `store`, or a lock to read \
                   and another lock to write, lets another thread in between.",
        )
        .fail();
    }
    if got != want {
        Diagnosis::new(format!(
            "{what}: the count is {got}, expected {want}: more increments than were made."
        ))
        .advice("add exactly one per call to `increment`, and let `get` only read.")
        .fail();
    }
}

fn call(c: &Counted) -> String {
    format!(
        "count_with_threads(counter, {}, {})",
        c.threads, c.per_thread
    )
}

/// No increment reached the counter the test passed in.
#[track_caller]
fn judge_some_increments(c: &Counted) {
    if c.made > 0 || c.threads == 0 || c.per_thread == 0 {
        return;
    }
    Diagnosis::new(format!(
        "{} never called `increment` on the counter it was given (expected {} calls), and \
         returned {}. Likely causes: the threads were never started: `(0..threads).map(|_| \
         s.spawn(..))` is lazy and spawns nothing until something consumes it; or the threads \
         incremented another counter (a `Counter::new()` of their own).{}",
        call(c),
        c.threads as u64 * c.per_thread,
        c.returned,
        record_picture(c)
    ))
    .advice(
        "inside `std::thread::scope`, spawn the threads in a plain `for` loop, and call \
               `counter.increment()` on the `counter` parameter.",
    )
    .fail();
}

/// Each of the `threads` threads made `per_thread` increments.
#[track_caller]
fn judge_shares(c: &Counted) {
    if c.by_thread.len() == c.threads && c.by_thread.iter().all(|&n| n == c.per_thread) {
        return;
    }
    Diagnosis::new(format!(
        "{}: the increments came from {}, which made {} of them; expected {}, each making {}.",
        call(c),
        count(c.by_thread.len(), "thread"),
        grading::preview(&c.by_thread, 8),
        count(c.threads, "thread"),
        c.per_thread
    ))
    .advice(
        "start exactly `threads` threads (`for _ in 0..threads`), each calling \
               `counter.increment()` `per_thread` times (`for _ in 0..per_thread`).",
    )
    .fail();
}

/// `count_with_threads` made every increment, waited for them, and returned
/// the count it read afterwards.
#[track_caller]
pub fn judge_counting(c: &Counted) {
    judge_some_increments(c);
    let expected = c.threads as u64 * c.per_thread;
    if c.made != expected {
        Diagnosis::new(format!(
            "{} made {} in all, expected {} × {} = {expected}.",
            call(c),
            count(c.made as usize, "increment"),
            c.threads,
            c.per_thread
        ))
        .advice(
            "start exactly `threads` threads (`for _ in 0..threads`), each calling \
               `counter.increment()` `per_thread` times (`for _ in 0..per_thread`).",
        )
        .fail();
    }
    let Some(&last_read) = c.reads.last() else {
        Diagnosis::new(format!(
            "{} returned {} without calling `counter.get()`.",
            call(c),
            c.returned
        ))
        .advice(
            "return the counter's own count once every thread has finished: \
                   `counter.get()` after the scope.",
        )
        .fail();
    };
    if c.returned != c.made && last_read < expected {
        Diagnosis::new(format!(
            "{} returned {}: it called `counter.get()` when only {} of the {expected} \
             increments were done, so the count was read before every thread had finished. \
             Most likely `counter.get()` is the last expression inside the `thread::scope` \
             closure: that value is computed before the scope waits for its threads.{}",
            call(c),
            c.returned,
            last_read,
            record_picture(c)
        ))
        .advice(
            "let the scope end first, then read: `thread::scope(|s| { ... });` and then \
                   `counter.get()`.",
        )
        .fail();
    }
    if c.returned != c.made {
        Diagnosis::new(format!(
            "{} returned {}, but once every thread had finished the counter's count was {}.",
            call(c),
            c.returned,
            c.made
        ))
        .advice("return `counter.get()`, read after every thread has finished.")
        .fail();
    }
}

/// The threads of `count_with_threads` ran at the same time.
#[track_caller]
pub fn judge_overlap(c: &Counted) {
    judge_some_increments(c);
    let n = c.threads;
    let threads = c.by_thread.len();
    if threads == 1 && c.caller_counted {
        Diagnosis::new(format!(
            "all {} increments of {} were made on the thread that called it: nothing ran at \
             the same time. The threads you started, if any, made none.{}",
            c.made,
            call(c),
            record_picture(c)
        ))
        .cause(Cause::Sequential)
        .advice(
            "let each of the `threads` spawned threads make its `per_thread` increments: \
                   `s.spawn(|| for _ in 0..per_thread { counter.increment() })`.",
        )
        .fail();
    }
    if threads == 1 {
        Diagnosis::new(format!(
            "one thread made all {} increments of {}: expected {} at the same time, each \
             making {}.{}",
            c.made,
            call(c),
            count(n, "thread"),
            c.per_thread,
            record_picture(c)
        ))
        .candidates([Cause::Sequential])
        .advice(
            "spawn `threads` threads (`for _ in 0..threads`), each with its own \
                   `for _ in 0..per_thread` loop.",
        )
        .fail();
    }
    if let Some(miss) = c.miss {
        if c.peak <= 1 {
            Diagnosis::new(format!("the {} of {} never ran at the same time: the first thread to increment \
                 waited {} at a meeting point for the others, and not one other thread \
                 arrived while it waited. Most likely each thread was joined right after it was spawned \
                 (`s.spawn(..).join()` in the loop, or a lazy `(0..n).map(|_| s.spawn(..))` \
                 whose handles are joined one by one: Python's `t.start(); t.join()`), so the \
                 next one started only once it had finished; or each thread held one lock \
                 around its whole loop.{}", count(threads, "thread"), call(c), fmt_duration(PATIENCE), record_picture(c))).candidates([Cause::Sequential, Cause::LockHeldWhileWaiting]).advice("start every thread before waiting for any: spawn them in a `for` loop \
                       inside `thread::scope` and let the end of the scope join them (or \
                       collect the handles into a Vec first, then join). Lock only around the \
                       increment itself, if at all.").fail();
        }
        if threads < n {
            Diagnosis::new(format!(
                "only {} made the increments of {}, at most {} at the same time: the meeting \
                 point waited {} for {n} and saw {} there at once. The work ran on fewer \
                 threads than asked: most likely on a pool with fewer threads (rayon's global \
                 pool has one per core).{}",
                count(threads, "thread"),
                call(c),
                c.peak,
                fmt_duration(PATIENCE),
                miss.inside,
                record_picture(c)
            ))
            .cause(Cause::UnderUsed)
            .advice(
                "start exactly `threads` threads of your own in a `std::thread::scope`, \
                       all before waiting for any.",
            )
            .fail();
        }
        Diagnosis::new(format!(
            "at most {} of the {n} threads of {} ran at the same time: the meeting point waited \
             {} for all {n} and saw {} there at once. The threads were started in batches, or \
             some waited for others to finish.{}",
            c.peak,
            call(c),
            fmt_duration(PATIENCE),
            miss.inside,
            record_picture(c)
        ))
        .candidates([Cause::Batches, Cause::Sequential])
        .advice("start every thread before waiting for any, and join them only at the end.")
        .fail();
    }
    judge_shares(c);
}

// ---------------------------------------------------------------------------
// The bank, one call at a time.

pub fn some(balances: &[u64]) -> Vec<Option<u64>> {
    balances.iter().map(|&b| Some(b)).collect()
}

/// `[Some(70), Some(80)]` shown as `[70, 80]`.
pub fn show(balances: &[Option<u64>]) -> String {
    let parts: Vec<String> = balances
        .iter()
        .map(|b| b.map_or_else(|| "None".to_string(), |b| b.to_string()))
        .collect();
    format!("[{}]", parts.join(", "))
}

/// What one worker of a stress test saw go wrong (the first time).
pub type Trouble = Option<String>;

/// No worker saw a transfer refused (or refused the wrong way) for no reason.
#[track_caller]
pub fn judge_troubles(what: &str, troubles: &[Trouble]) {
    if let Some(trouble) = troubles.iter().flatten().next() {
        Diagnosis::new(format!("{what}: {trouble}."))
            .advice(REFUSE_ONLY_WHEN_SHORT)
            .fail();
    }
}

/// The transfers neither made nor lost money: the accounts hold `sum` in all.
#[track_caller]
pub fn judge_money_kept(what: &str, end: &[Option<u64>], sum: u64) {
    let held: u64 = end.iter().flatten().sum();
    if held == sum {
        return;
    }
    let change = if held > sum {
        format!("{} was created", held - sum)
    } else {
        format!("{} was lost", sum - held)
    };
    Diagnosis::new(format!(
        "{what}; afterwards the accounts hold {} = {held} in all, but the bank had {sum}: \
         {change}. Most likely two transfers changed the same balance at once and one change \
         overwrote the other.",
        show(end)
    ))
    .candidates([Cause::LostUpdate])
    .advice(
        "hold the locks of both accounts for the whole transfer: read, check and write \
               each balance through the same guard, never through a copy taken under an earlier \
               lock.",
    )
    .fail();
}

/// The money is where the transfers that returned `Ok` put it (`want`).
#[track_caller]
pub fn judge_balances(what: &str, why: &str, end: &[Option<u64>], want: &[Option<u64>]) {
    if end != want {
        Diagnosis::new(format!(
            "{what}; afterwards the balances are {}, expected {} ({why}). No money was made or \
         lost, but some went to the wrong accounts: most likely two transfers changed the same \
         balance at once and one change overwrote the other (or a transfer moved another \
         amount than it said).",
            show(end),
            show(want)
        ))
        .candidates([Cause::LostUpdate])
        .advice(
            "hold the locks of both accounts for the whole transfer, and move exactly \
               `amount` from `from` to `to` in every successful transfer, nothing in a refused \
               one.",
        )
        .fail();
    }
}

/// Every `total()` seen while money moved was `sum`.
#[track_caller]
pub fn judge_totals(what: &str, totals: &[u64], sum: u64) {
    let wrong: Vec<u64> = totals.iter().copied().filter(|&t| t != sum).collect();
    let Some(first) = wrong.first() else {
        return;
    };
    Diagnosis::new(format!(
        "{what} {}, and {} of them returned a wrong total (the first: {first} instead of \
         {sum}), though the money in the bank never changed: they saw money in flight, \
         already gone from one account but not yet arrived in the other, or counted in both.",
        count(totals.len(), "time"),
        wrong.len()
    ))
    .advice(
        "in `total`, lock EVERY account (in increasing number, the order `transfer` \
               uses) before reading any balance, and keep all the guards until the sum is \
               done. And in `transfer`, hold both accounts' locks from the withdrawal to the \
               deposit.",
    )
    .fail();
}

/// A worker panicked: an overflow in a bank test means an overdrawn account
/// (balances are `u64`, so taking 10 from 7 panics in a debug build).
#[track_caller]
pub fn judge_bank_panic(what: &str, text: &str) -> ! {
    if text.contains("subtract with overflow") {
        Diagnosis::new(format!(
            "{what}: your code panicked with \"{text}\": an account was overdrawn, a \
             withdrawal took more than the account held at that moment. Most likely the check \
             and the withdrawal ran under different guards, so two transfers both saw enough \
             money and both took it out."
        ))
        .candidates([Cause::LostUpdate])
        .advice(
            "check the balance and withdraw under the SAME guard: lock both accounts \
                   first, then check `*from_balance < amount`, then move the money, all before \
                   the guards are dropped. A balance checked under one lock may be spent by \
                   another thread before a second lock withdraws it.",
        )
        .fail();
    }
    if text.contains("add with overflow") {
        Diagnosis::new(format!(
            "{what}: your code panicked with \"{text}\": a balance grew past what the whole \
             bank holds, so money was created (a balance written back from a stale copy, or \
             an overdrawn account)."
        ))
        .advice(
            "read, check and change the balances only while holding the locks of both \
                   accounts, with one guard per account for the whole transfer.",
        )
        .fail();
    }
    Diagnosis::new(format!("{what}:\n{}", explain_panic(text))).fail();
}

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

/// A new bank's balances (of one account more than it has) and total, or
/// the panic they caused.
type Opening = Result<(Vec<Option<u64>>, u64), String>;

/// `Bank::new(start)`: its balances, `None` for the account after the last,
/// and its total.
#[track_caller]
pub fn judge_new_bank(start: &[u64]) {
    let n = start.len();
    let opening: Opening = {
        let start = start.to_vec();
        grading::within(WATCHDOG, bank_hung(), move || {
            let bank = Bank::new(&start);
            catching(|| (balances(&bank, n + 1), bank.total()))
        })
    };
    let new = format!("Bank::new(&{start:?})");
    let (initial, initial_total) = match opening {
        Ok(opening) => opening,
        Err(text) if text.contains("index out of bounds") => Diagnosis::new(format!(
            "{new}: asking for the balance of account {n}, which does not exist, panicked \
             with \"{text}\", expected None."
        ))
        .advice(
            "look the account up with `self.accounts.get(account)`, which gives `None` \
                   past the end; `self.accounts[account]` panics there.",
        )
        .fail(),
        Err(text) => Diagnosis::new(format!(
            "{new}, then its balances and total():\n{}",
            explain_panic(&text)
        ))
        .fail(),
    };
    let mut want_balances = some(start);
    want_balances.push(None);
    if initial != want_balances {
        Diagnosis::new(format!(
            "{new}: the balances of accounts 0..={n} are {}, expected {} (account {n} does not \
         exist).",
            show(&initial),
            show(&want_balances)
        ))
        .advice(
            "keep one balance per account, in order; `balance(i)` is `None` for `i >= n` \
               (`self.accounts.get(i)`).",
        )
        .fail();
    }
    let sum: u64 = start.iter().sum();
    if initial_total != sum {
        Diagnosis::new(format!("{new}.total() is {initial_total}, expected {sum}."))
            .advice("add up every account's balance.")
            .fail();
    }
}

/// Runs the transfers one after another on a fresh bank, under the
/// watchdog, and checks each step against the model.
#[track_caller]
pub fn judge_script(start: &[u64], steps: &[(usize, usize, u64)], on_hang: Diagnosis) {
    let n = start.len();
    let seen = {
        let start = start.to_vec();
        let steps = steps.to_vec();
        grading::within(WATCHDOG, on_hang, move || {
            let bank = Bank::new(&start);
            let mut seen = Vec::new();
            for &(from, to, amount) in &steps {
                let step = catching(|| {
                    let result = bank.transfer(from, to, amount);
                    Seen {
                        result,
                        balances: balances(&bank, n),
                        total: bank.total(),
                    }
                });
                let panicked = step.is_err();
                seen.push(step);
                if panicked {
                    break;
                }
            }
            seen
        })
    };
    let sum: u64 = start.iter().sum();
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
            Err(text) if text.contains("subtract with overflow") => Diagnosis::new(format!(
                "{call} panicked with \"{text}\": it took more than account {from} holds."
            ))
            .advice(
                "compare the balance with the amount first, and refuse with \
                       `Err(TransferError::InsufficientFunds { needed: amount, available })` \
                       without changing anything.",
            )
            .fail(),
            Err(text) if text.contains("index out of bounds") => Diagnosis::new(format!(
                "{call} panicked with \"{text}\", expected {want:?}: an account number was \
                 used as an index before the bank checked that the account exists."
            ))
            .advice(
                "look both accounts up with `self.accounts.get(i)` first, and refuse a \
                       missing one with `Err(TransferError::NoSuchAccount(i))` (`from` first, \
                       then `to`).",
            )
            .fail(),
            Err(text) => Diagnosis::new(format!("{call}:\n{}", explain_panic(text))).fail(),
        };
        if seen.result != want {
            let hint = match (&want, &seen.result) {
                (Err(TransferError::NoSuchAccount(_)), Err(TransferError::SameAccount)) => {
                    "check that both accounts exist (`from`, then `to`) before comparing them: \
                     a missing account is refused as missing, even when `from == to`"
                }
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
                (Ok(()), Err(TransferError::InsufficientFunds { available, .. }))
                    if *available == amount =>
                {
                    "an account may pay out everything it holds: refuse only when it holds \
                     LESS than the amount (`<`, not `<=`)"
                }
                (Ok(()), _) => {
                    "a transfer between two existing, different accounts succeeds when `from` \
                     holds at least `amount` (all of it may go)"
                }
            };
            Diagnosis::new(format!(
                "{call} returned {:?}, expected {want:?}.",
                seen.result
            ))
            .advice(format!("{hint}."))
            .fail();
        }
        let want_balances = some(&model);
        if seen.balances != want_balances {
            Diagnosis::new(format!(
                "after {call} (which returned {want:?}), the balances are {}, expected {}.",
                show(&seen.balances),
                show(&want_balances)
            ))
            .advice(if want.is_ok() {
                "take `amount` from `from` and add it to `to`, nothing else."
            } else {
                "a refused transfer changes no balance."
            })
            .fail();
        }
        if seen.total != sum {
            Diagnosis::new(format!(
                "after {call}, total() is {}, expected {sum}: transfers move money, they neither \
             make nor lose any.",
                seen.total
            ))
            .fail();
        }
    }
}

/// What the counting probe saw, above what a correct `count_with_threads`
/// does with the same numbers: lanes "thread 1", ... (the threads that
/// incremented, in the order of their first increment, from its start to
/// their last increment's end; then empty ones up to `threads`), and a mark
/// where `counter.get()` was called. Correctly, every thread runs at once,
/// and the count is read once they have all finished.
fn record_picture(c: &Counted) -> String {
    let mut seen = Timeline::new("what your code did", Clock::Real).numbered(
        "thread",
        c.threads,
        c.spans.iter().map(|&span| [span]),
    );
    for &at in &c.reads_at {
        seen = seen.mark("counter.get()", at);
    }
    let end = seen.end().max(c.ended_at).max(ms(1));
    let busy: &[(Duration, Duration)] = if c.per_thread > 0 {
        &[(Duration::ZERO, end)]
    } else {
        &[]
    };
    let correct = Timeline::new("what a correct count_with_threads does", Clock::Real).numbered(
        "thread",
        0,
        vec![busy; c.threads],
    );
    grading::record_picture(&seen, &correct.mark("counter.get()", end))
}
