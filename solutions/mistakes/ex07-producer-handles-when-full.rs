// Mistake: a producer that finds the channel full handles the item itself instead of waiting, so the producers never wait for the consumers and the bound limits nothing.
// Rejected by: the_queue_holds_at_most_capacity_items
// Message contains: `handle` ran on a producer thread
// Cause: none
// Removes: fn spawn_producers, fn produce

use crossbeam::channel::TrySendError;

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
    thread::scope(|scope| {
        let mut threads = spawn_consumers(scope, consumers, &rx, handle);
        drop(rx);
        for source in sources {
            let tx = tx.clone();
            threads.push(scope.spawn(move || {
                let mut own = Vec::new();
                for item in source {
                    // Why wait? If the queue is full, do the work right here.
                    match tx.try_send(item) {
                        Ok(()) => {}
                        Err(TrySendError::Full(item)) => own.push(handle(item)),
                        Err(TrySendError::Disconnected(_)) => break,
                    }
                }
                own
            }));
        }
        drop(tx);
        gather(threads)
    })
}
