// Mistake: takes whatever one `read` returns as one request, instead of cutting the bytes into lines: requests that arrive together are read as one bad line.
// Rejected by: one_connection_carries_several_requests
// Message contains: The two requests were sent in ONE write

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
                tokio::spawn(async move {
                    let _ = handle_connection(stream).await;
                });
            }
        }
    }
}

async fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&buf[..n]);
        let answer = match parse_request(line.trim()) {
            Ok(n) => {
                tokio::time::sleep(DB_DELAY).await;
                format!("{}\n", i128::from(n) * i128::from(n))
            }
            Err(reason) => format!("ERR {reason}\n"),
        };
        stream.write_all(answer.as_bytes()).await?;
    }
}
