//! # Exercise 13 (capstone): 10 000 clients at once
//!
//! In Python, `asyncio.start_server(handle, "127.0.0.1", 8888)` runs a whole
//! server on one thread: for every client that connects, the event loop starts
//! one more `handle(reader, writer)` coroutine, which loops
//! `line = await reader.readline()`, `writer.write(answer)`,
//! `await writer.drain()`. A client that is thinking, or waiting for the
//! database, costs a small coroutine object, not a thread, so one process
//! keeps 10 000 connections open at once. A thread per connection would need
//! 10 000 threads: that is the "C10k problem" that event loops were built for.
//!
//! Rust with tokio works the same way, with one difference: the runtime has one
//! worker thread per core, and all of them run tasks. `listener.accept().await`
//! hands you the next connection as a [`tokio::net::TcpStream`], and
//! [`tokio::spawn`] starts a *task* to serve it: a task is a future plus a few
//! hundred bytes of bookkeeping, so 10 000 of them are nothing. While a task
//! waits (for the client's next line, for the database), it does not hold a
//! thread at all.
//!
//! ## The protocol
//! A client sends lines; the server answers each line with one line, in order:
//!
//! | client sends    | server answers                | when                          |
//! |-----------------|-------------------------------|-------------------------------|
//! | `SQUARE 12`     | `144`                         | after [`DB_DELAY`] (100 ms)   |
//! | `SQUARE -3`     | `9`                           | after [`DB_DELAY`]            |
//! | anything else   | `ERR <reason>`                | at once                       |
//!
//! The number is any whole number that fits in an `i64`; its square is exact,
//! even when it does not fit in an `i64`. The [`DB_DELAY`] stands for a
//! database call: the server must wait that long, *without blocking*, before
//! each answer. A bad line gets its `ERR` line and the connection stays open
//! for more requests. The connection lasts until the client closes it.
//!
//! ## Your task
//! 1. [`parse_request`]: turn one line into the number to square, or into the
//!    reason it is not a valid request.
//! 2. [`serve`]: accept connections on `listener` and serve each one in a task
//!    of its own, until `shutdown` completes; then stop accepting and return
//!    `Ok(())` at once (connections still open are left to the runtime, which
//!    drops them when it shuts down).
//!
//! Tip: write a private helper,
//! `async fn handle_connection(stream: TcpStream) -> io::Result<()>`, that
//! reads the client's lines and answers each one until the client closes;
//! [`serve`] then only accepts and spawns.
//!
//! ## Provided: the server program
//! `src/bin/server.rs` is a complete program around [`serve`]: it binds
//! `127.0.0.1` on a free port, prints `ex13-server listening on 127.0.0.1:<port>`,
//! and serves on a multi-thread runtime (one worker per core) until its
//! standard input closes. Try it: `cargo run -p ex13 --bin ex13-server`, then
//! in another terminal `nc 127.0.0.1 <port>` and type `SQUARE 12`; Ctrl-D in
//! the first terminal stops the server.
//!
//! The graded load test starts that same program as a child process, connects
//! 10 000 clients and keeps them **all open at once**, sends one request on
//! each, and reads every answer: a server that serves them concurrently
//! answers them all about [`DB_DELAY`] after they arrive, while one that
//! blocks needs minutes. It also watches the server's thread count and peak
//! memory, from `/proc` on Linux (on macOS and Windows, which have no `/proc`,
//! those two checks are skipped and the test prints `SKIPPED` with the
//! reason). Smaller tests call [`serve`] directly.
//!
//! ## Useful tools
//! - `listener.accept().await` gives `(TcpStream, SocketAddr)`.
//! - [`tokio::spawn`]`(async move { ... })` serves a connection in its own task.
//! - `stream.into_split()` gives a read half and a write half;
//!   [`tokio::io::BufReader`] plus [`tokio::io::AsyncBufReadExt::lines`] reads
//!   line by line (`lines.next_line().await?` is `None` once the client has
//!   closed); [`tokio::io::AsyncWriteExt::write_all`] writes an answer.
//! - [`tokio::select!`] waits for whichever comes first, the next connection
//!   or `shutdown`. `shutdown` is polled again on every turn of the loop, so
//!   pin it first: `let mut shutdown = std::pin::pin!(shutdown);`, then use
//!   `&mut shutdown` in `select!`.
//! - [`tokio::time::sleep`]`(DB_DELAY).await` for the database call;
//!   `i128::from(n)` for an exact square.
//!
//! ## Watch out
//! - Never `.await` a connection's handler inside the accept loop: while it
//!   serves that client (for as long as the client stays connected), nobody
//!   else is even accepted. Spawn it.
//! - Never block inside async code: `std::thread::sleep`, `std::net` sockets
//!   or other blocking calls hold a worker thread, and every task queued on it
//!   waits. With 10 000 clients and 100 ms each, that is minutes, not 100 ms.
//! - An error on one connection (the client vanished, a write failed) ends
//!   that connection's task, not the server.
//! - Answer a connection's lines one after another, in order: a client may
//!   send several lines at once, and can only tell which answer is which by
//!   their order. A task per *line* would let a quick `ERR` answer overtake a
//!   square still waiting for the database.
//!
//! Run `cargo test -p ex13` to check your work.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::net::TcpListener;

/// Provided: how long the simulated database call behind every valid request
/// takes. Wait this long (without blocking) before each answer.
pub const DB_DELAY: Duration = Duration::from_millis(100);

/// Reads one request line (without its `\n`).
///
/// `"SQUARE 12"` gives `Ok(12)`; anything that is not the word `SQUARE`
/// followed by one whole number that fits in an `i64` gives `Err(reason)`,
/// a short explanation on one line for the `ERR` answer.
pub fn parse_request(line: &str) -> Result<i64, String> {
    let _ = line;
    todo!("split the line into words: `SQUARE`, then one number that parses as an i64")
}

/// Serves the line protocol on `listener` until `shutdown` completes, each
/// connection in a task of its own. Then stops accepting (the listener is
/// closed) and returns `Ok(())` without waiting for open connections.
pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    let _ = (listener, shutdown);
    todo!(
        "loop: select! between shutdown and listener.accept(), tokio::spawn a task per connection"
    )
}
