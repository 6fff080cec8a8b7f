// Mistake: ignores `consumers` and starts a single consumer thread, so the items are handled one at a time.
// Rejected by: consumers_handle_items_at_the_same_time
// Message contains: never more than 1 at once

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
    let _ = consumers;
    let (tx, rx) = channel::bounded(capacity);
    let handle = &handle;
    thread::scope(|s| {
        let consumer = s.spawn(move || rx.iter().map(handle).collect::<Vec<R>>());
        for source in sources {
            let tx = tx.clone();
            s.spawn(move || {
                for item in source {
                    tx.send(item).unwrap();
                }
            });
        }
        drop(tx);
        consumer.join().unwrap()
    })
}
