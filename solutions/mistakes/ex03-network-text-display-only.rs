// Mistake: keeps only `e.to_string()` as a network error's text: reqwest's `Display` shows the
// outermost error ("error sending request for url (...)"), not its cause (connection refused).
// Rejected by: network_errors_say_what_happened
// Message contains: it lacks "connection refused"
// Cause: none
// Removes: fn explain

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_decode() {
        FetchError::Body(e.to_string())
    } else {
        FetchError::Network(e.to_string())
    }
}
