// Mistake: uses an unbounded channel, so nothing makes the producers wait: they pull every item of their sources however far behind the consumers are.
// Rejected by: the_queue_holds_at_most_capacity_items
// Message contains: unbounded queue: the producers pulled
// Cause: unbounded

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
        let consumer_threads = spawn_consumers(scope, consumers, &rx, &handle);
        drop(rx);
        spawn_producers(scope, sources, &tx);
        drop(tx);
        gather(consumer_threads)
    })
}
