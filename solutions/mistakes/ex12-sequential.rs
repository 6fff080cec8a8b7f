// Mistake: awaits each request inside the receiving loop, so requests run one after another.
// Rejected by: requests_run_concurrently
// Message contains: the requests ran one after another
// Cause: sequential
// Observed peak: 1
// Observed busy: request 1, request 5
// Removes: impl Running::fn start

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
