// Mistake: never looks at `shutdown`: the accept loop runs forever, so `serve` never returns and the server program never ends.
// Rejected by: shutdown_ends_serve
// Message contains: was still running

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
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
    drop(shutdown);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = handle_connection(stream).await;
        });
    }
}

async fn handle_connection(stream: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    while let Some(line) = lines.next_line().await? {
        let answer = match parse_request(&line) {
            Ok(n) => {
                tokio::time::sleep(DB_DELAY).await;
                format!("{}\n", i128::from(n) * i128::from(n))
            }
            Err(reason) => format!("ERR {reason}\n"),
        };
        writer.write_all(answer.as_bytes()).await?;
    }
    Ok(())
}
