// Mistake: each consumer first receives everything it can (`rx.iter().collect()`) and handles its items only once the channel is closed: the producers are never held back by busy consumers, and no item is handled until every producer is done.
// Rejected by: every_item_is_handled_exactly_once
// Message contains: what they receive before handling it
// Cause: none

fn consume<T, R>(rx: channel::Receiver<T>, handle: impl Fn(T) -> R) -> Vec<R> {
    // Take the items first, handle them later.
    let items: Vec<T> = rx.iter().collect();
    items.into_iter().map(handle).collect()
}
