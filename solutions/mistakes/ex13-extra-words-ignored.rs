// Mistake: reads the command and the number and ignores whatever follows, so `SQUARE 1 2` is taken for `SQUARE 1`.
// Rejected by: parse_request_rejects_bad_lines
// Message contains: only `SQUARE` followed by exactly one whole number
// Cause: none

pub fn parse_request(line: &str) -> Result<i64, String> {
    let mut words = line.split_whitespace();
    if words.next() != Some("SQUARE") {
        return Err(format!("not a SQUARE request: {line}"));
    }
    let number = words.next().ok_or("SQUARE needs a number")?;
    number
        .parse()
        .map_err(|_| format!("not a whole number that fits in an i64: {number}"))
}
