// Mistake: a producer that finds the channel full handles the item itself instead of waiting, so the producers never wait for the consumers and the bound limits nothing.
// Rejected by: the_queue_holds_at_most_capacity_items
// Message contains: `handle` ran on a producer thread

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
    thread::scope(|s| {
        let consumer_threads: Vec<_> = (0..consumers.get())
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || rx.iter().map(handle).collect::<Vec<R>>())
            })
            .collect();
        let producer_threads: Vec<_> = sources
            .into_iter()
            .map(|source| {
                let tx = tx.clone();
                s.spawn(move || {
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
                })
            })
            .collect();
        drop(tx);
        consumer_threads
            .into_iter()
            .chain(producer_threads)
            .flat_map(|t| t.join().unwrap())
            .collect()
    })
}
