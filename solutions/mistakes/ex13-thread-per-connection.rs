// Mistake: a thread per connection, as in a classic threaded server: every accepted socket is turned into a blocking std socket and served by its own `std::thread::spawn`ed thread. 10 000 clients, 10 000 threads.
// Adds: fn blocking_connection
// Rejected by: ten_thousand_clients_at_once
// Message contains: a thread per connection
// Cause: thread-per-task

pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => {
                let stream = accepted?.0.into_std()?;
                stream.set_nonblocking(false)?;
                std::thread::spawn(move || blocking_connection(stream));
            }
        }
    }
}

/// One connection on blocking std I/O.
fn blocking_connection(stream: std::net::TcpStream) -> io::Result<()> {
    use std::io::{BufRead, Write};
    let mut writer = stream.try_clone()?;
    for line in std::io::BufReader::new(stream).lines() {
        let answer = match parse_request(&line?) {
            Ok(n) => {
                std::thread::sleep(DB_DELAY);
                format!("{}\n", i128::from(n) * i128::from(n))
            }
            Err(reason) => format!("ERR {reason}\n"),
        };
        writer.write_all(answer.as_bytes())?;
    }
    Ok(())
}
