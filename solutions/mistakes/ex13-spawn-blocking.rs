// Mistake: hands each connection to `tokio::task::spawn_blocking` with blocking std I/O and `std::thread::sleep`: tokio runs it on its blocking pool, up to 512 threads, one per connection, and the connections beyond 512 wait for a free thread.
// Rejected by: ten_thousand_clients_at_once
// Message contains: a thread per connection

use std::future::Future;
use std::io::{self, BufRead, BufReader, Write};
use std::time::Duration;

use tokio::net::TcpListener;
pub const DB_DELAY: Duration = Duration::from_millis(100);

pub fn parse_request(line: &str) -> Result<i64, String> {
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("SQUARE"), Some(number), None) => number
            .parse()
            .map_err(|_| format!("not a whole number that fits in an i64: {number}")),
        (Some("SQUARE"), None, _) => Err("SQUARE needs a number".to_string()),
        (Some("SQUARE"), Some(_), Some(_)) => Err("SQUARE takes one number".to_string()),
        (Some(word), _, _) => Err(format!("unknown command: {word}")),
        (None, _, _) => Err("empty request".to_string()),
    }
}

pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                let stream = stream.into_std()?;
                stream.set_nonblocking(false)?;
                tokio::task::spawn_blocking(move || {
                    let _ = handle_connection(stream);
                });
            }
        }
    }
}

fn handle_connection(stream: std::net::TcpStream) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    for line in BufReader::new(stream).lines() {
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
