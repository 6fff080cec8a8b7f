// Mistake: waits by spinning on `std::time::Instant` until the delay has passed: it ends, but it
// keeps the runtime's only thread busy all along, so the sleeps run one after another in real
// time while tokio's clock stands still.
// Rejected by: sleepy_returns_its_name_after_its_delay
// Message contains: it blocked the thread while tokio's clock stood still
// Cause: blocking-in-async

pub async fn sleepy(name: &str, delay: Duration) -> String {
    let due = std::time::Instant::now() + delay;
    while std::time::Instant::now() < due {
        std::hint::spin_loop();
    }
    name.to_string()
}
