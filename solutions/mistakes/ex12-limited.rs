// Mistake: carries ex10's semaphore over: at most 100 requests run at once, so a request that comes while 100 are running waits for one of them to end.
// Rejected by: a_thousand_requests
// Message contains: serve limits how many requests run at the same time
// Cause: under-used
// Observed peak: 100

impl Running {
    async fn take_requests<Fut: Future<Output = ()> + Send + 'static>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: impl Fn(u64) -> Fut,
        shutdown: &CancellationToken,
    ) {
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(100));
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                Some(ended) = self.tasks.join_next_with_id() => self.record(ended),
                request = requests.recv() => match request {
                    Some(id) => {
                        let permit = limit.clone().acquire_owned().await.unwrap();
                        let request = handle(id);
                        self.start(id, async move {
                            request.await;
                            drop(permit);
                        });
                    }
                    None => break,
                },
            }
        }
    }
}
