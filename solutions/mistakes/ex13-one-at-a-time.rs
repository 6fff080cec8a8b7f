// Mistake: awaits each connection's handler inside the accept loop, so the next client is accepted only once the current one has disconnected: one connection at a time.
// Rejected by: two_clients_are_served_at_the_same_time
// Message contains: the server serves one connection at a time
// Cause: sequential
// Observed peak: 2
// Observed busy: client 1, request 1
// Observed empty: request 2

pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                let _ = handle_connection(stream).await;
            }
        }
    }
}
