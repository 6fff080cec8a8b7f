// Mistake: one producer thread reads every source, one after the other, so a slow source holds up all the others.
// Rejected by: every_item_is_handled_exactly_once
// Message contains: were read on the same thread

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
        // One producer is enough: it sends the sources in turn.
        s.spawn(move || {
            for item in sources.into_iter().flatten() {
                tx.send(item).unwrap();
            }
        });
        consumer_threads
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    })
}
