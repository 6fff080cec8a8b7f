// Mistake: gives each producer a clone of the Sender but keeps the original alive, so the channel never closes and the consumers' `for item in rx.iter()` loops wait for more items forever.
// Rejected by: no_sources_give_an_empty_vec
// Message contains: drop every Sender (including the original)
// Cause: channel-never-closed

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
        let consumer_threads = spawn_consumers(scope, consumers, &rx, &handle);
        drop(rx);
        // Each producer gets a clone of `tx`; the original is never dropped.
        spawn_producers(scope, sources, &tx);
        gather(consumer_threads)
    })
}
