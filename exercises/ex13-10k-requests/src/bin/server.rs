//! The server program around [`ex13::serve`] (provided: you do not need to
//! change it).
//!
//! Binds `127.0.0.1` on a free port, prints
//! `ex13-server listening on 127.0.0.1:<port>`, and serves on a multi-thread
//! tokio runtime (one worker thread per core) until its standard input
//! closes (Ctrl-D in a terminal).
//!
//! ```text
//! cargo run -p ex13 --bin ex13-server      # then, in another terminal:
//! nc 127.0.0.1 <port>                      # and type: SQUARE 12
//! ```
//!
//! The graded load test runs this same code in a child process.

use std::io;

use tokio::net::TcpSocket;
use tokio::sync::oneshot;

/// Runs the server until standard input closes.
pub fn main() -> io::Result<()> {
    // What `#[tokio::main]` builds: a multi-thread runtime, one worker per core.
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        // `TcpListener::bind` would do, but it asks the kernel for a queue
        // of only 128 connections waiting to be accepted; a server that
        // expects bursts of clients asks for more.
        let socket = TcpSocket::new_v4()?;
        socket.bind(([127, 0, 0, 1], 0).into())?;
        let listener = socket.listen(1024)?;
        // Rust's stdout flushes at each newline: whoever reads our output
        // sees the port at once.
        println!("ex13-server listening on {}", listener.local_addr()?);
        // Standard input is read on a plain thread (reading it blocks), which
        // tells the server to shut down once it is closed.
        let (closed, stdin_closed) = oneshot::channel::<()>();
        std::thread::spawn(move || {
            let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
            let _ = closed.send(());
        });
        ex13::serve(listener, async {
            let _ = stdin_closed.await;
        })
        .await
    })
}
