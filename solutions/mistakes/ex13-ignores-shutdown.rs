// Mistake: never looks at `shutdown`: the accept loop runs forever, so `serve` never returns and the server program never ends.
// Rejected by: shutdown_ends_serve
// Message contains: was still running
// Cause: not-cancelled

pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    drop(shutdown);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = handle_connection(stream).await;
        });
    }
}
