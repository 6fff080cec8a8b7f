// Mistake: runs the producers and waits for them to finish before starting the consumers; with a bounded channel the producers wait for room that only a consumer can make, and nothing moves.
// Rejected by: many_items_from_many_producers
// Message contains: before a single item was handled

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
    let (tx, rx) = channel::bounded(capacity);
    let handle = &handle;
    thread::scope(|s| {
        let producers: Vec<_> = sources
            .into_iter()
            .map(|source| {
                let tx = tx.clone();
                s.spawn(move || {
                    for item in source {
                        tx.send(item).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        // First let the producers fill the queue...
        for producer in producers {
            producer.join().unwrap();
        }
        // ...then empty it.
        let consumer_threads: Vec<_> = (0..consumers.get())
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || rx.iter().map(handle).collect::<Vec<R>>())
            })
            .collect();
        consumer_threads
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    })
}
