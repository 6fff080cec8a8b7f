// Mistake: reports every failed request as a network error, timeouts included.
// Rejected by: slow_url_times_out_after_per_request
// Message contains: not as a network error
// Cause: none

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_decode() {
        FetchError::Body(explain(&e))
    } else {
        FetchError::Network(explain(&e))
    }
}
