// Mistake: reads one request, answers it and closes the connection, so a client cannot send a second request on the same connection.
// Rejected by: one_connection_carries_several_requests
// Message contains: after answering the first request
// Cause: none

async fn handle_connection(stream: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::with_capacity(1024, reader).lines();
    if let Some(line) = lines.next_line().await? {
        writer.write_all(answer(&line).await.as_bytes()).await?;
    }
    Ok(())
}
