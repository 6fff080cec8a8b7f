// Mistake: maps every failure except timeouts to Network, so an unusable body is not a Body error.
// Rejected by: bad_bodies_are_body_errors
// Message contains: not Network
// Cause: none

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Network(explain(&e))
    }
}
