// Mistake: Python's "fill the queue, then empty it" with an unbounded channel: the producers run to the end first, and the consumers start only once they are joined, so every item waits in a channel that has no bound.
// Rejected by: many_items_from_many_producers
// Message contains: the consumers were started only once the producers had been joined

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
    let _ = capacity;
    let (tx, rx) = channel::unbounded();
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
        // Fill the queue first (it never fills up), then empty it.
        for producer in producers {
            producer.join().unwrap();
        }
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
