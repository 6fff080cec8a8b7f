// Mistake: the consumers loop on `try_recv` and stop at the first `Empty`, taking a momentarily empty channel for a finished one; the producers are left waiting to send.
// Rejected by: a_slow_producer_does_not_end_the_pipeline
// Message contains: stopped before the channel was closed
// Cause: stopped-before-closed

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
    thread::scope(|scope| {
        spawn_producers(scope, sources, &tx);
        drop(tx);
        gather(spawn_consumers(scope, consumers, &rx, &handle))
    })
}

fn consume<T, R>(rx: channel::Receiver<T>, handle: impl Fn(T) -> R) -> Vec<R> {
    let mut results = Vec::new();
    // Nothing left in the queue: the producers must be done.
    while let Ok(item) = rx.try_recv() {
        results.push(handle(item));
    }
    results
}
