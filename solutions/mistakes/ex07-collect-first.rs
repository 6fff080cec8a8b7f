// Mistake: each producer collects its whole source into a Vec before sending: the channel is bounded, but it only limits what is in it, and the producers pull everything at once, however far behind the consumers are.
// Rejected by: the_queue_holds_at_most_capacity_items
// Message contains: the producers pull items before sending them

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
        for source in sources {
            let tx = tx.clone();
            s.spawn(move || {
                // Read the source first, then send: the whole source is pulled at once.
                let items: Vec<T> = source.collect();
                for item in items {
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
