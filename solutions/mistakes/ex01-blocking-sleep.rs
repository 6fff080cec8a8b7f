// Mistake: `std::thread::sleep` inside async code blocks the runtime's thread.
// Rejected by: blocking_sleep_is_caught
// Message contains: std::thread::sleep

use std::time::Duration;

pub async fn sleepy(name: &str, delay: Duration) -> String {
    std::thread::sleep(delay);
    name.to_string()
}

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    futures::future::join_all(tasks.iter().map(|&(name, delay)| sleepy(name, delay))).await
}
