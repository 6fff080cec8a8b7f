//! `serve` in this process, on the real clock under the watchdog, polled
//! together with a scripted client: a panic in `serve` (a `todo!()`) is
//! reported as the student's.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use ex13::serve;
use grading::{cut, real_clock, secs, Cause, Diagnosis};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::client::{problem, Problem};
use crate::GATE;

/// Real time a small test may take before the watchdog stops it. Every wait
/// inside has its own, shorter limit; the watchdog only catches a `serve`
/// that blocks the thread polling it.
pub const WATCHDOG: Duration = secs(6);
const HUNG: &str = "The test's client and your `serve` run on the same thread, and that \
    thread stopped: something inside `serve` blocks (a `std::net` socket, `std::thread::sleep`, \
    a blocking read, a loop that never awaits) instead of awaiting.";
const HUNG_ADVICE: &str = "in async code use tokio's versions: `listener.accept().await`, \
    `tokio::time::sleep`, and the reads and writes of `tokio::net::TcpStream`; every loop must \
    await something.";

/// The watchdog's diagnosis when the thread polling `serve` stopped.
pub fn hung() -> Diagnosis {
    Diagnosis::new(HUNG)
        .candidates([Cause::BlockingInAsync, Cause::BusyLoop])
        .advice(HUNG_ADVICE)
}

pub fn bind_error(e: io::Error) -> Problem {
    problem(
        format!("the grader could not listen on 127.0.0.1: {e}."),
        "this is the machine, not your code: run the tests again.",
    )
}

pub fn served_too_short(ended: io::Result<()>) -> Problem {
    let how = match ended {
        Ok(()) => "Ok(())".to_string(),
        Err(e) => format!("Err({})", cut(&e.to_string(), 80)),
    };
    problem(
        format!(
            "`serve` returned {how} while a client was still talking to it, before `shutdown` \
             completed."
        ),
        "loop over `listener.accept()` until `shutdown` completes, and let each connection's \
         task deal with that connection's errors.",
    )
}

/// Runs `serve` on a fresh listener, polled together with `script(addr)`,
/// on the real clock under the watchdog. `shutdown` never completes.
#[track_caller]
pub fn with_server<T, S, Fut>(script: S) -> T
where
    T: Send + 'static,
    S: FnOnce(SocketAddr) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, Problem>>,
{
    // Bound here, on the test's thread, before the watchdog starts: the
    // bind may wait (briefly) for the shutdown test (see `GATE`).
    let bound = {
        let _bind = GATE.blocking_read();
        std::net::TcpListener::bind("127.0.0.1:0")
    };
    let outcome = real_clock(WATCHDOG, hung(), move || async move {
        let listener = bound
            .and_then(|l| {
                l.set_nonblocking(true)?;
                TcpListener::from_std(l)
            })
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (_keep_serving, stop) = oneshot::channel::<()>();
        let server = serve(listener, async move {
            let _ = stop.await;
        });
        tokio::pin!(server);
        tokio::select! {
            biased;
            ended = &mut server => Err(served_too_short(ended)),
            outcome = script(addr) => outcome,
        }
    });
    outcome.unwrap_or_else(|p| p.fail())
}
