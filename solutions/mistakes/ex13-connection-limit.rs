// Mistake: caps the open connections at 1024 with a semaphore, as web servers often do: the 1025th client is accepted only when one of the first 1024 leaves, and here none of them does.
// Rejected by: ten_thousand_clients_at_once
// Message contains: a `Semaphore` held per connection
// Cause: under-used

pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    // At most 1024 clients at once: a usual limit for a server.
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(1024));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            biased;
            _ = &mut shutdown => return Ok(()),
            permit = limit.clone().acquire_owned() => permit.expect("never closed"),
        };
        let (stream, _) = tokio::select! {
            biased;
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(_) => continue,
            },
        };
        tokio::spawn(async move {
            let _permit = permit;
            let _ = handle_connection(stream).await;
        });
    }
}
