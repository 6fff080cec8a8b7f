// Mistake: one producer thread reads every source, one after the other, so a slow source holds up all the others.
// Rejected by: every_item_is_handled_exactly_once
// Message contains: were read on the same thread
// Cause: sequential

fn spawn_producers<'scope, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    sources: Vec<impl Iterator<Item = T> + Send + 'scope>,
    tx: &channel::Sender<T>,
) {
    // One producer is enough: it sends the sources in turn.
    let tx = tx.clone();
    scope.spawn(move || produce(sources.into_iter().flatten(), tx));
}
