// Mistake: spawns a task per request line, all writing to the connection through a shared writer: a bad line is answered at once, before the squares of earlier lines that still wait for the database, so the answers come out of order.
// Rejected by: answers_come_in_the_order_of_the_requests
// Message contains: the right answers, in another order
// Cause: wrong-order

async fn handle_connection(stream: TcpStream) -> io::Result<()> {
    let (reader, writer) = stream.into_split();
    let writer = std::sync::Arc::new(tokio::sync::Mutex::new(writer));
    let mut lines = BufReader::with_capacity(1024, reader).lines();
    while let Some(line) = lines.next_line().await? {
        // Each request on its own: a slow one never holds up the next.
        let writer = std::sync::Arc::clone(&writer);
        tokio::spawn(async move {
            let answer = answer(&line).await;
            let _ = writer.lock().await.write_all(answer.as_bytes()).await;
        });
    }
    Ok(())
}
