// Mistake: forgets the simulated database call: answers at once, so nothing in the server ever waits, and the exercise's point (10 000 requests waiting at the same time) is missed.
// Rejected by: one_client_gets_its_answer
// Message contains: stands for a database call
// Cause: none

async fn answer(line: &str) -> String {
    match parse_request(line) {
        Ok(n) => format!("{}\n", i128::from(n) * i128::from(n)),
        Err(reason) => format!("ERR {reason}\n"),
    }
}
