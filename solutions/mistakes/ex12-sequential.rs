// Mistake: awaits each request inside the receiving loop, so requests run one after another.
// Rejected by: requests_run_concurrently
// Message contains: the requests ran one after another

impl Running {
    async fn take_requests<F, Fut>(
        &mut self,
        mut requests: mpsc::Receiver<u64>,
        handle: F,
        shutdown: &CancellationToken,
    ) where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                request = requests.recv() => match request {
                    Some(id) => {
                        handle(id).await;
                        self.report.completed.push(id);
                    }
                    None => break,
                },
            }
        }
    }
}
