// Mistake: `std::thread::sleep` inside async code blocks the runtime's thread.
// Rejected by: sleeps_do_not_block_the_thread
// Message contains: std::thread::sleep
// Cause: blocking-in-async

pub async fn sleepy(name: &str, delay: Duration) -> String {
    std::thread::sleep(delay);
    name.to_string()
}
