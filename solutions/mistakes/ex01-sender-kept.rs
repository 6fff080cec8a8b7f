// Mistake: collects the names through a channel but keeps the original `Sender` alive, so the
// receiving loop never ends.
// Rejected by: uneven_sleeps_take_the_longest_delay
// Message contains: while a `Sender` is still alive
// Cause: channel-never-closed

pub async fn run_concurrently(tasks: &[(&str, Duration)]) -> Vec<String> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for (index, &(name, delay)) in tasks.iter().enumerate() {
        let (tx, name) = (tx.clone(), name.to_string());
        tokio::spawn(async move {
            let _ = tx.send((index, sleepy(&name, delay).await));
        });
    }
    let mut names = vec![String::new(); tasks.len()];
    while let Some((index, name)) = rx.recv().await {
        names[index] = name;
    }
    names
}
