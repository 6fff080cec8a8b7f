// Mistake: takes whatever one `read` returns as one request, instead of cutting the bytes into lines: requests that arrive together are read as one bad line.
// Rejected by: one_connection_carries_several_requests
// Message contains: The requests were sent in ONE write
// Cause: none

use tokio::io::AsyncReadExt;

async fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&buf[..n]);
        stream
            .write_all(answer(line.trim()).await.as_bytes())
            .await?;
    }
}
