// Mistake: answers a bad line with its `ERR` and then hangs up on the client, as if a bad line ended the conversation.
// Rejected by: a_bad_line_gets_an_error_and_the_connection_stays_open
// Message contains: the server closed the connection, so the next line
// Cause: none

async fn handle_connection(stream: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::with_capacity(1024, reader).lines();
    while let Some(line) = lines.next_line().await? {
        let answer = answer(&line).await;
        writer.write_all(answer.as_bytes()).await?;
        if answer.starts_with("ERR") {
            // A client that talks nonsense is not worth keeping.
            return Ok(());
        }
    }
    Ok(())
}
