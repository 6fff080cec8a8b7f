// Mistake: frames the lines with `read_line` but never clears its String: `read_line` appends, so from the second request on the server parses all the lines so far as one, and answers `ERR`.
// Rejected by: one_connection_carries_several_requests
// Message contains: clear the String before each call
// Cause: none

async fn handle_connection(stream: TcpStream) -> io::Result<()> {
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    while stream.read_line(&mut line).await? != 0 {
        let reply = answer(line.trim()).await;
        stream.get_mut().write_all(reply.as_bytes()).await?;
    }
    Ok(())
}
