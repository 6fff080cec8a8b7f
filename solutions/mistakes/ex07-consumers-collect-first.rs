// Mistake: each consumer first receives everything it can (`rx.iter().collect()`) and handles its items only once the channel is closed: the producers are never held back by busy consumers, and no item is handled until every producer is done.
// Rejected by: every_item_is_handled_exactly_once
// Message contains: what they receive before handling it

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
                s.spawn(move || {
                    // Take the items first, handle them later.
                    let items: Vec<T> = rx.iter().collect();
                    items.into_iter().map(handle).collect::<Vec<R>>()
                })
            })
            .collect();
        for source in sources {
            let tx = tx.clone();
            s.spawn(move || {
                for item in source {
                    tx.send(item).unwrap();
                }
            });
        }
        drop(tx);
        consumer_threads
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    })
}
