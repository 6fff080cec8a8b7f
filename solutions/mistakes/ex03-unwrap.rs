// Mistake: `expect`s every request, so one refused connection panics and every result is lost.
// Rejected by: refused_connection_fails_only_its_own_slot
// Message contains: results of the good URLs were lost
// Cause: none

async fn status_of(client: &Client, url: &str, per_request: Duration) -> Result<u16, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .expect("request failed");
    Ok(response.status().as_u16())
}

async fn title_of(client: &Client, url: &str, per_request: Duration) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .expect("request failed");
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let post: Titled = response.json().await.expect("not a post");
    Ok(post.title)
}
