// Mistake: after the shutdown, closes the channel but still starts the requests that were queued in it.
// Rejected by: no_new_requests_are_started_after_shutdown
// Message contains: emptied the channel after the shutdown
// Cause: ignores-stop
// Observed busy: request 1, request 20, request 21
// Observed empty: request 22, request 23

impl Running {
    async fn take_requests<Fut: Future<Output = ()> + Send + 'static>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: impl Fn(u64) -> Fut,
        shutdown: &CancellationToken,
    ) {
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                Some(ended) = self.tasks.join_next_with_id() => self.record(ended),
                request = requests.recv() => match request {
                    Some(id) => self.start(id, handle(id)),
                    None => break,
                },
            }
        }
        // "Be nice": serve what was already queued before stopping.
        requests.close();
        while let Some(id) = requests.recv().await {
            self.start(id, handle(id));
        }
    }
}
