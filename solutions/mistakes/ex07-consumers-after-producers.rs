// Mistake: Python's "fill the queue, then empty it" with an unbounded channel: the producers run to the end first, and the consumers start only once they are joined, so every item waits in a channel that has no bound.
// Rejected by: many_items_from_many_producers
// Message contains: the consumers were started only once the producers had been joined
// Cause: unbounded
// Removes: fn spawn_producers

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
    thread::scope(|scope| {
        let producers: Vec<_> = sources
            .into_iter()
            .map(|source| {
                let tx = tx.clone();
                scope.spawn(move || produce(source, tx))
            })
            .collect();
        drop(tx);
        // Fill the queue first (it never fills up), then empty it.
        for producer in producers {
            producer.join().unwrap();
        }
        gather(spawn_consumers(scope, consumers, &rx, &handle))
    })
}
