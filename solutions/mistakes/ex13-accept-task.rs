// Mistake: runs the accept loop in a task of its own and returns when `shutdown` completes, without stopping that task: the listener stays open and keeps accepting clients after `serve` has returned.
// Rejected by: shutdown_ends_serve
// Message contains: the listener is still open
// Cause: not-cancelled

pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = handle_connection(stream).await;
            });
        }
    });
    shutdown.await;
    Ok(())
}
