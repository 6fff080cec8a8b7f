// Mistake: each producer collects its whole source into a Vec before sending: the channel is bounded, but it only limits what is in it, and the producers pull everything at once, however far behind the consumers are.
// Rejected by: the_queue_holds_at_most_capacity_items
// Message contains: the producers pull items before sending them
// Cause: none

fn produce<T>(source: impl Iterator<Item = T>, tx: channel::Sender<T>) {
    // Read the source first, then send: the whole source is pulled at once.
    let items: Vec<T> = source.collect();
    for item in items {
        tx.send(item).unwrap();
    }
}
