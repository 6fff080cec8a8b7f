//! Panics of the student's code, explained. Also records the typed fact
//! (`todo!()` reached, or another panic) that the checker reads: the
//! checker never decides a status from a message's wording.

use std::any::Any;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::task::Poll;

use grading_protocol::Fact;

/// The message a panic carries (`panic!` with a literal or a format).
pub fn payload_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(a panic without a message)")
}

/// Whether a panic is a `todo!()` or `unimplemented!()`: the student has not
/// written this part yet. (These are the standard library's own words, not
/// a grader's message.)
pub fn reached_todo(payload: &(dyn Any + Send)) -> bool {
    let text = payload_text(payload);
    text.starts_with("not yet implemented") || text.starts_with("not implemented")
}

/// Records a panic that came out of the student's code for the checker, as
/// "not started" (a `todo!()`) or "the student's code panicked", and returns
/// its explanation. Call it on the test's own thread: facts are filed under
/// the thread's name, which libtest sets to the test's name.
pub fn record_student_panic(payload: &(dyn Any + Send)) -> String {
    let text = payload_text(payload);
    if reached_todo(payload) {
        record(&Fact::NotStarted);
        format!(
            "NOT STARTED: your code reached a `todo!()` ({text}).\n\
             Try: replace the `todo!()` in src/lib.rs with your implementation; \
             the doc comment above it says what to do."
        )
    } else if text.contains("with overflow") {
        record(&Fact::StudentPanicked);
        // The standard library's own words prove it.
        record(&Fact::Cause(grading_protocol::Cause::ArithmeticOverflow));
        format!(
            "Your code panicked: {text}.\n\
             Try: the result does not fit in the type you used; do the arithmetic in a wider \
             type (u128) before adding up."
        )
    } else {
        record(&Fact::StudentPanicked);
        format!(
            "Your code panicked: {text}.\n\
             Try: read the panic above (file and line); errors should be returned as values, \
             not unwrapped."
        )
    }
}

/// Records that the student's code, in the test running on this thread, was
/// stopped because it would never finish (nothing moved for `after`). A
/// suite whose own monitor stops a stuck call (rather than a watchdog of
/// `within`/`paused`) calls this, so that the checker shows the exercise as
/// hung rather than failing. Call it on the test's own thread.
pub fn record_hang(after: std::time::Duration) {
    record(&Fact::WatchdogStopped(after));
}

/// Records a fact about the test running on this thread (see
/// `grading_protocol`); a no-op unless the checker asked for facts.
pub(crate) fn record(fact: &Fact) {
    let thread = std::thread::current();
    grading_protocol::record(thread.name().unwrap_or("main"), fact);
}

/// Runs `work`, turning a panic into `Err(payload)`.
pub fn catch_panic<T>(work: impl FnOnce() -> T) -> Result<T, Box<dyn Any + Send>> {
    panic::catch_unwind(AssertUnwindSafe(work))
}

/// Awaits `fut`, turning a panic while it is polled into `Err(payload)`:
/// the async twin of [`catch_panic`], without pulling in `futures`.
pub async fn catch_panic_async<F: Future>(fut: F) -> Result<F::Output, Box<dyn Any + Send>> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| {
        match panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    })
    .await
}

/// Records the picture of how the work ran for the checker, and returns its
/// text to put under a "how it ran" failure: what was observed above what a
/// correct solution does, on one scale (see `grading_protocol::timeline`).
/// The checker draws the recorded timelines itself (in the charset of the
/// student's terminal, and in reports): so when the checker runs the suite,
/// the text is empty, and a plain `cargo test -p exNN` shows the picture.
/// Call it on the test's own thread, only when the test fails, and put its
/// text after the sentence, never instead. A [`crate::Diagnosis`] can carry
/// the picture instead (`.picture`), recorded only when it fails.
pub fn record_picture(
    observed: &grading_protocol::Timeline,
    expected: &grading_protocol::Timeline,
) -> String {
    record(&Fact::Observed(observed.clone()));
    record(&Fact::Expected(expected.clone()));
    drawn(observed, expected)
}

/// The picture's text (see [`record_picture`]), recording nothing: empty
/// when the checker runs the suite, as it draws the recorded timelines.
pub(crate) fn drawn(
    observed: &grading_protocol::Timeline,
    expected: &grading_protocol::Timeline,
) -> String {
    if std::env::var_os(grading_protocol::FACTS_FILE_VAR).is_some() {
        return String::new();
    }
    format!(
        "\n{}",
        grading_protocol::timeline::render_pair(
            observed,
            expected,
            grading_protocol::Charset::from_locale()
        )
    )
}
