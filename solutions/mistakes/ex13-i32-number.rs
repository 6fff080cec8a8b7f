// Mistake: "the square must fit in an i64, so the number must fit in an i32": parses the number as an i32, and rejects valid requests such as `SQUARE 3037000500`.
// Rejected by: parse_request_reads_square_requests
// Message contains: whatever its size
// Cause: arithmetic-overflow

pub fn parse_request(line: &str) -> Result<i64, String> {
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("SQUARE"), Some(number), None) => number
            .parse::<i32>()
            .map(i64::from)
            .map_err(|_| format!("not a number whose square fits in an i64: {number}")),
        (Some("SQUARE"), _, _) => Err("SQUARE takes one number".to_string()),
        (Some(word), _, _) => Err(format!("unknown command: {word}")),
        (None, _, _) => Err("empty request".to_string()),
    }
}
