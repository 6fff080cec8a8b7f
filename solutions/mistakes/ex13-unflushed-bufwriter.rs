// Mistake: writes the answers through a `tokio::io::BufWriter` and flushes it only when the client leaves: the answers sit in its buffer, and a client waiting for one never gets it.
// Rejected by: one_client_gets_its_answer
// Message contains: stays there until you `flush()` it
// Cause: not-flushed

async fn handle_connection(stream: TcpStream) -> io::Result<()> {
    let (reader, writer) = stream.into_split();
    // Fewer system calls: the answers are collected and sent together.
    let mut writer = tokio::io::BufWriter::new(writer);
    let mut lines = BufReader::with_capacity(1024, reader).lines();
    while let Some(line) = lines.next_line().await? {
        writer.write_all(answer(&line).await.as_bytes()).await?;
    }
    writer.flush().await
}
