use std::future::Future;
use std::time::Duration;

use crate::watchdog::{within, within_diagnosing};
use crate::Diagnosis;

/// How long something took, on tokio's clock and on the wall clock.
///
/// Under the paused clock `virtual_time` is exact (sleeps are skipped over),
/// while `real` shows whether something blocked the thread for real.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub virtual_time: Duration,
    pub real: Duration,
}

/// Awaits `fut` and measures it on both clocks.
pub async fn timed<F: std::future::Future>(fut: F) -> (F::Output, Timing) {
    let virtual_start = tokio::time::Instant::now();
    let real_start = std::time::Instant::now();
    let output = fut.await;
    let timing = Timing {
        virtual_time: virtual_start.elapsed(),
        real: real_start.elapsed(),
    };
    (output, timing)
}

/// Runs the future made by `make` on a current-thread runtime with tokio's
/// clock paused: whenever every task waits for a timer, time jumps forward, so
/// a 3 s sleep costs microseconds of real time and timings are exact.
/// A real-time watchdog (see [`within`]) guards against blocking code.
#[track_caller]
pub fn paused<Fut, M>(limit: Duration, on_timeout: impl Into<Diagnosis>, make: M) -> Fut::Output
where
    M: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    let on_timeout = on_timeout.into();
    paused_diagnosing(limit, move || on_timeout, make)
}

/// [`paused`], with the diagnosis made only when the limit has passed (see
/// [`within_diagnosing`]): e.g. from whether the student's future was still
/// being polled, and how far tokio's clock had got.
#[track_caller]
pub fn paused_diagnosing<Fut, M, D>(limit: Duration, diagnose: D, make: M) -> Fut::Output
where
    M: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
    D: FnOnce() -> Diagnosis,
{
    within_diagnosing(limit, diagnose, move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("the grader could not build a tokio runtime");
        run_to_end(runtime, make)
    })
}

/// Runs the future made by `make` on a multi-thread runtime with the real
/// clock (needed for real network I/O), guarded by a real-time watchdog.
#[track_caller]
pub fn real_clock<Fut, M>(limit: Duration, on_timeout: impl Into<Diagnosis>, make: M) -> Fut::Output
where
    M: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    within(limit, on_timeout, move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("the grader could not build a tokio runtime");
        run_to_end(runtime, make)
    })
}

/// Blocks on the future, then shuts the runtime down without waiting for
/// leftover blocking tasks (a plain drop would wait for them).
fn run_to_end<Fut, M>(runtime: tokio::runtime::Runtime, make: M) -> Fut::Output
where
    M: FnOnce() -> Fut,
    Fut: Future,
{
    let output = runtime.block_on(make());
    runtime.shutdown_background();
    output
}
