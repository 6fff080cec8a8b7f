// Mistake: runs the producers and waits for them to finish before starting the consumers; with a bounded channel the producers wait for room that only a consumer can make, and nothing moves.
// Rejected by: many_items_from_many_producers
// Message contains: before a single item was handled
// Cause: sequential

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
    // First let the producers fill the queue (the scope waits for them)...
    thread::scope(|scope| spawn_producers(scope, sources, &tx));
    drop(tx);
    // ...then empty it.
    thread::scope(|scope| gather(spawn_consumers(scope, consumers, &rx, &handle)))
}
