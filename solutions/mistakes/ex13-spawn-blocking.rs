// Mistake: hands each connection to `tokio::task::spawn_blocking` with blocking std I/O and `std::thread::sleep`: tokio runs it on its blocking pool, up to 512 threads, one per connection, and the connections beyond 512 wait for a free thread.
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
                tokio::task::spawn_blocking(move || blocking_connection(stream));
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
