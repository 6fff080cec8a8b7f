// Mistake: simulates the database call with `std::thread::sleep` inside the async handler: each request holds a runtime worker thread for 100 ms, so with one worker per core the answers trickle out a few at a time.
// Rejected by: ten_thousand_clients_at_once
// Message contains: inside async code
// Cause: blocking-in-async

async fn answer(line: &str) -> String {
    match parse_request(line) {
        Ok(n) => {
            std::thread::sleep(DB_DELAY);
            format!("{}\n", i128::from(n) * i128::from(n))
        }
        Err(reason) => format!("ERR {reason}\n"),
    }
}
