// Mistake: "the database takes one query at a time": every request locks one shared `tokio::sync::Mutex` and holds it across the `.await` of its DB_DELAY, so the requests of all clients are served one after another, 10 per second.
// Rejected by: ten_thousand_clients_at_once
// Message contains: the requests were serialised
// Cause: lock-held-while-waiting
// Adds: static DATABASE

static DATABASE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn answer(line: &str) -> String {
    match parse_request(line) {
        Ok(n) => {
            let _connection = DATABASE.lock().await;
            tokio::time::sleep(DB_DELAY).await;
            format!("{}\n", i128::from(n) * i128::from(n))
        }
        Err(reason) => format!("ERR {reason}\n"),
    }
}
