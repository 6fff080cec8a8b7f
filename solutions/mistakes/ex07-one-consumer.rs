// Mistake: ignores `consumers` and starts a single consumer thread, so the items are handled one at a time.
// Rejected by: consumers_handle_items_at_the_same_time
// Message contains: never more than 1 at once
// Cause: under-used
// Observed peak: 1
// Observed busy: consumer 1
// Observed empty: consumer 2

fn spawn_consumers<'scope, T: Send + 'scope, R: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    count: NonZeroUsize,
    rx: &channel::Receiver<T>,
    handle: &'scope (impl Fn(T) -> R + Sync),
) -> Vec<thread::ScopedJoinHandle<'scope, Vec<R>>> {
    let _ = count;
    let rx = rx.clone();
    vec![scope.spawn(move || consume(rx, handle))]
}
