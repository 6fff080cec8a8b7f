// Mistake: Python's sentinels translated literally: each producer, once its source is used up, sends one `None` per consumer, and a consumer stops at its first `None`. The first producer to finish stops every consumer while the other producers still have items, and those items are lost.
// Rejected by: a_slow_producer_does_not_end_the_pipeline
// Message contains: stopped before the channel was closed
// Cause: stopped-before-closed
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
    let (tx, rx) = channel::bounded::<Option<T>>(capacity);
    let handle = &handle;
    thread::scope(|s| {
        let consumer_threads: Vec<_> = (0..consumers.get())
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || {
                    let mut results = Vec::new();
                    while let Ok(Some(item)) = rx.recv() {
                        results.push(handle(item));
                    }
                    results
                })
            })
            .collect();
        drop(rx);
        for source in sources {
            let tx = tx.clone();
            s.spawn(move || {
                for item in source {
                    if tx.send(Some(item)).is_err() {
                        break;
                    }
                }
                // Done: tell the consumers to stop, one sentinel each.
                for _ in 0..consumers.get() {
                    let _ = tx.send(None);
                }
            });
        }
        drop(tx);
        gather(consumer_threads)
    })
}
