// Mistake: waits by spinning on the clock instead of awaiting a sleep: a busy-wait that blocks
// the thread, and never ends under tokio's paused clock (it moves only while every task waits).
// Rejected by: sleepy_returns_its_name_after_its_delay
// Message contains: 1. an infinite loop or a busy-wait that never awaits
// Cause: busy-loop

pub async fn sleepy(name: &str, delay: Duration) -> String {
    let due = tokio::time::Instant::now() + delay;
    loop {
        if tokio::time::Instant::now() >= due {
            break;
        }
    }
    name.to_string()
}
