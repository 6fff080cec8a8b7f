// Mistake: `std::thread::sleep` inside async code blocks the runtime's thread.
// Rejected by: blocking_sleep_is_caught
// Message contains: std::thread::sleep

pub async fn sleepy(name: &str, delay: Duration) -> String {
    std::thread::sleep(delay);
    name.to_string()
}
