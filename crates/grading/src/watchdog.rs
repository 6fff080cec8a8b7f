use std::panic::{self, AssertUnwindSafe};
use std::sync::{mpsc, Once};
use std::thread;
use std::time::{Duration, Instant};

use grading_protocol::Fact;

use crate::diagnose::{payload_text, record, record_student_panic};
use crate::Diagnosis;

/// The thread that runs the student's code: panics there are the student's.
const WORK_THREAD: &str = "graded-work";

/// Runs `work` on a thread of its own and waits at most `limit` of real time.
///
/// A blocked or deadlocked `work` cannot time itself out, so the watchdog lives
/// on the test's own thread. When the limit passes, the test fails with
/// `on_timeout` (the diagnosis: what probably blocks, as likely causes or,
/// when the scenario proves it, a cause; and what to try); the
/// stuck thread is abandoned and ends with the test process.
///
/// A panic inside `work` (a `todo!()`, an `unwrap` on an error) fails the test
/// with that panic's message.
#[track_caller]
pub fn within<T, F>(limit: Duration, on_timeout: impl Into<Diagnosis>, work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let on_timeout = on_timeout.into();
    within_diagnosing(limit, move || on_timeout, work)
}

/// [`within`], with the diagnosis made only when the limit has passed, by
/// `diagnose`: so it can rest on what is seen then (which threads still
/// work, how far the work got), not only on what was known beforehand.
/// `diagnose` runs on the test's own thread while the stuck work is still
/// stuck; keep it short.
#[track_caller]
pub fn within_diagnosing<T, F, D>(limit: Duration, diagnose: D, work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
    D: FnOnce() -> Diagnosis,
{
    install_panic_hook();
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = thread::Builder::new()
        .name(WORK_THREAD.into())
        .spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(work));
            // The receiver is gone only if the watchdog already fired.
            let _ = tx.send(outcome);
        });
    if let Err(e) = spawned {
        panic!("the grader could not start a thread: {e}");
    }
    let started = Instant::now();
    let outcome = rx.recv_timeout(limit);
    record(&Fact::StudentTime(started.elapsed()));
    match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(payload)) => panic!("\n{}\n", record_student_panic(payload.as_ref())),
        Err(_) => {
            record(&Fact::WatchdogStopped(limit));
            let on_timeout = diagnose();
            on_timeout.record_facts();
            panic!(
                "\nWATCHDOG: no result after {} of real time, so the test was stopped.\n{}\n",
                crate::fmt_duration(limit),
                on_timeout.text()
            )
        }
    }
}

/// Replaces the default panic output (a backtrace into tokio and the grader)
/// with the two facts a student needs: where, and what. Set
/// `GRADING_BACKTRACE=1` to get the default output back.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("GRADING_BACKTRACE").is_some_and(|v| v != "0") {
            return;
        }
        panic::set_hook(Box::new(|info| {
            // Suites live at `exercises/exNN-*/../../tests/`: say `tests/`.
            let location = info.location().map_or_else(String::new, |l| {
                let file = l.file().rsplit_once("../").map_or(l.file(), |(_, f)| f);
                format!("{file}:{}", l.line())
            });
            if thread::current().name() == Some(WORK_THREAD) {
                // The watchdog re-reports the message with a diagnosis.
                eprintln!("your code panicked at {location}");
            } else {
                let message = payload_text(info.payload());
                eprintln!("test failed at {location}:{message}");
            }
        }));
    });
}
