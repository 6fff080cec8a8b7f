// Mistake: the consumers share a std `Receiver` behind a Mutex and loop on `while let Ok(item) = rx.lock().unwrap().recv()`: the guard is a temporary of the `while let` condition and lives through the loop body, so each consumer handles its item with the lock held and the consumers take turns.
// Rejected by: consumers_handle_items_at_the_same_time
// Message contains: alive until the end of the loop body
// Cause: lock-held-while-waiting
// Observed peak: 1
// Observed busy: consumer 1
// Removes: fn spawn_consumers, fn consume, fn spawn_producers, fn produce

pub fn pipeline<I, T, R, H>(
    sources: Vec<I>,
    consumers: NonZeroUsize,
    capacity: usize,
    handle: H,
) -> Vec<R>
where
    I: Iterator<Item = T> + Send,
    T: Send,
    R: Send,
    H: Fn(T) -> R + Sync,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(capacity);
    let rx = std::sync::Mutex::new(rx);
    let (handle, rx) = (&handle, &rx);
    thread::scope(|s| {
        let consumer_threads: Vec<_> = (0..consumers.get())
            .map(|_| {
                s.spawn(move || {
                    let mut results = Vec::new();
                    // The guard lives until the end of the body: `handle` runs locked.
                    while let Ok(item) = rx.lock().unwrap().recv() {
                        results.push(handle(item));
                    }
                    results
                })
            })
            .collect();
        for source in sources {
            let tx = tx.clone();
            s.spawn(move || {
                for item in source {
                    tx.send(item).unwrap();
                }
            });
        }
        drop(tx);
        gather(consumer_threads)
    })
}
