// Mistake: the consumers wait for each item with `recv_timeout(100 ms)` and stop at the first timeout, taking a quiet channel for a finished one: a producer that pauses for longer is left waiting to send.
// Rejected by: a_slow_producer_does_not_end_the_pipeline
// Message contains: stopped before the channel was closed
// Cause: stopped-before-closed

use std::time::Duration;

fn consume<T, R>(rx: channel::Receiver<T>, handle: impl Fn(T) -> R) -> Vec<R> {
    let mut results = Vec::new();
    // No item for 100 ms: the producers must be done.
    while let Ok(item) = rx.recv_timeout(Duration::from_millis(100)) {
        results.push(handle(item));
    }
    results
}
