use std::any::Any;
use std::time::Duration;

/// Formats a duration the way the messages speak: `3.0 s`, `250 ms`.
pub fn fmt_duration(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// The message a panic carries (`panic!` with a literal or a format).
pub(crate) fn payload_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(a panic without a message)")
}

/// Explains a panic that came out of the student's code.
pub fn student_panic_message(payload: &(dyn Any + Send)) -> String {
    let text = payload_text(payload);
    if text.starts_with("not yet implemented") || text.starts_with("not implemented") {
        format!(
            "NOT STARTED: your code reached a `todo!()` ({text}).\n\
             Try: replace the `todo!()` in src/lib.rs with your implementation; \
             the doc comment above it says what to do."
        )
    } else if text.contains("with overflow") {
        format!(
            "Your code panicked: {text}.\n\
             Try: the result does not fit in the type you used; do the arithmetic in a wider \
             type (u128) before adding up."
        )
    } else {
        format!(
            "Your code panicked: {text}.\n\
             Try: read the panic above (file and line); errors should be returned as values, \
             not unwrapped."
        )
    }
}
