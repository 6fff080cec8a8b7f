// Mistake: reads capacity 0 the way Python reads `Queue(maxsize=0)`, as "no limit", and makes an unbounded channel for it.
// Rejected by: capacity_zero_hands_each_item_over_directly
// Message contains: Capacity 0 is a rendezvous

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
