// Mistake: spawns each sleep as a task but awaits its handle before spawning the next one, so
// the tasks run one after another (Python's `await asyncio.create_task(...)` in a loop).
// Rejected by: ten_thousand_sleeps_take_the_longest_delay
// Message contains: they ran one after another
// Cause: sequential

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    let mut names = Vec::new();
    for &(name, delay) in tasks {
        let name = name.to_string();
        let handle = tokio::spawn(async move { sleepy(&name, delay).await });
        names.push(handle.await.expect("a sleep panicked"));
    }
    names
}
