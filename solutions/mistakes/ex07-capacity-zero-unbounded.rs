// Mistake: reads capacity 0 the way Python reads `Queue(maxsize=0)`, as "no limit", and makes an unbounded channel for it.
// Rejected by: capacity_zero_hands_each_item_over_directly
// Message contains: Capacity 0 is a rendezvous
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
    // Like Python's Queue(maxsize=0): 0 means no limit.
    let (tx, rx) = if capacity == 0 {
        channel::unbounded()
    } else {
        channel::bounded(capacity)
    };
    thread::scope(|scope| {
        let consumer_threads = spawn_consumers(scope, consumers, &rx, &handle);
        drop(rx);
        spawn_producers(scope, sources, &tx);
        drop(tx);
        gather(consumer_threads)
    })
}
