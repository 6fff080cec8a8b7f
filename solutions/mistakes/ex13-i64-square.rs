// Mistake: squares the number in an i64: 3037000500² does not fit, the multiplication overflows (a panic in a debug build) and the connection's task dies without answering.
// Rejected by: one_connection_carries_several_requests
// Message contains: does not fit in an i64
// Cause: arithmetic-overflow

async fn answer(line: &str) -> String {
    match parse_request(line) {
        Ok(n) => {
            tokio::time::sleep(DB_DELAY).await;
            format!("{}\n", n * n)
        }
        Err(reason) => format!("ERR {reason}\n"),
    }
}
