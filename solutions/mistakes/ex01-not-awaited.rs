// Mistake: spawns the sleeps as tasks but returns without waiting for them.
// Rejected by: run_concurrently_waits_for_every_sleep
// Message contains: returned before the sleeps finished
// Cause: never-joined
// Observed peak: 0
// Observed empty: total

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    for &(name, delay) in tasks {
        let name = name.to_string();
        tokio::spawn(async move { sleepy(&name, delay).await });
    }
    tasks.iter().map(|&(name, _)| name.to_string()).collect()
}
