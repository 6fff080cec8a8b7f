//! # Exercise 1: concurrent sleeps
//!
//! In Python you would write three coroutines that each `await asyncio.sleep(1)`
//! and run them together with `asyncio.gather(...)`: the whole thing takes about
//! 1 second, not 3, because while one coroutine waits the others run.
//!
//! Rust works the same way. An `async fn` returns a *future*: a value that does
//! nothing until it is awaited (or handed to the runtime). `.await` pauses the
//! current future and lets the runtime (here: tokio) run other ones until the
//! awaited thing is ready.
//!
//! ## Your task
//! 1. [`sleepy`]: sleep for `delay` **without blocking the thread**, then return the name.
//! 2. [`run_concurrently`]: run one `sleepy` per `(name, delay)` pair, **all at once**,
//!    and return the names in the **input order** (not the order they finished in).
//!    `[("a", 2 s), ("b", 1 s), ("c", 3 s)]` must take 3 s in total, not 6 s.
//!
//! ## Useful tools
//! - `tokio::time::sleep(delay).await`: an async sleep; other tasks run meanwhile.
//!   `std::thread::sleep` blocks the whole thread, and with it every task on it.
//! - `futures::future::join_all(futures)`: the Rust `asyncio.gather`: polls every
//!   future at once and gives their outputs in input order.
//! - `tokio::task::JoinSet` or `tokio::spawn`: start tasks in the background;
//!   remember to wait for them, and note that they finish in any order. A spawned
//!   task may outlive the function that spawned it, so it must own everything it
//!   uses (it must be `'static`): spawning `sleepy(name, delay)` with the borrowed
//!   `name: &str` fails with `error[E0521]: borrowed data escapes outside of
//!   function`. Move an owned copy into the task instead:
//!   `let name = name.to_string();` then
//!   `tokio::spawn(async move { sleepy(&name, delay).await })`.
//!   `join_all` needs none of this: its futures run inside your function, so they
//!   may borrow.
//!
//! Run `cargo test -p ex01` to check your work. The tests use tokio's paused clock,
//! so a "3 second" test takes a few milliseconds.

use std::time::Duration;

/// Waits `delay` without blocking the thread, then returns `name`.
pub async fn sleepy(name: &str, delay: Duration) -> String {
    let _ = (name, delay);
    todo!("sleep with tokio, then return the name")
}

/// Runs one [`sleepy`] per `(name, delay)` pair, all at the same time.
///
/// Returns the names in the same order as `tasks`. Takes as long as the
/// longest delay, not the sum of them.
pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    let _ = tasks;
    todo!("start every sleepy at once, then collect the names in input order")
}
