// Mistake: awaits each sleep before starting the next one, so the delays add up.
// Rejected by: uneven_sleeps_take_the_longest_delay
// Message contains: ran one after another
// Cause: sequential
// Observed peak: 1
// Observed busy: total

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    let mut names = Vec::new();
    for &(name, delay) in tasks {
        names.push(sleepy(name, delay).await);
    }
    names
}
