// Mistake: fetch_statuses treats 404 and 500 as errors (`error_for_status`) instead of answers.
// Rejected by: every_status_is_returned_as_is
// Message contains: is an answer, not a failure
// Cause: none

async fn status_of(client: &Client, url: &str, per_request: Duration) -> Result<u16, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .map_err(classify)?;
    match response.error_for_status() {
        Ok(ok) => Ok(ok.status().as_u16()),
        Err(e) => Err(FetchError::Status(e.status().map_or(0, |s| s.as_u16()))),
    }
}
