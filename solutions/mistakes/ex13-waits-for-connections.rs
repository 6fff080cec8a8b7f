// Mistake: on shutdown, waits for every open connection to end before returning (a `JoinSet` drained after the accept loop): a client that stays connected keeps `serve` running forever.
// Rejected by: shutdown_ends_serve
// Message contains: was still running
// Cause: not-cancelled

pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                connections.spawn(async move {
                    let _ = handle_connection(stream).await;
                });
            }
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}
