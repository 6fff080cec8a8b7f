// Mistake: wraps the stream in a new `BufReader` for each request: the reader reads ahead, so
// when two requests arrive in one write, the second waits in the first reader's buffer and is
// dropped with it; that client never gets its second answer.
// Rejected by: one_connection_carries_several_requests
// Message contains: had been read and then lost
// Cause: resource-per-call

async fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    loop {
        let mut line = String::new();
        if BufReader::new(&mut stream).read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let reply = answer(line.trim_end()).await;
        stream.write_all(reply.as_bytes()).await?;
    }
}
