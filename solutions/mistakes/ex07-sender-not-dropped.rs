// Mistake: gives each producer a clone of the Sender but keeps the original alive, so the channel never closes and the consumers' `for item in rx.iter()` loops wait for more items forever.
// Rejected by: no_sources_give_an_empty_vec
// Message contains: drop every Sender (including the original)

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
                for item in source {
                    tx.send(item).unwrap();
                }
            });
        }
        consumer_threads
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    })
}
