// Mistake: uses an unbounded channel, so nothing makes the producers wait: they pull every item of their sources however far behind the consumers are.
// Rejected by: the_queue_holds_at_most_capacity_items
// Message contains: unbounded queue: the producers pulled

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
