// Mistake: ignores `per_request`, so a server that never answers holds up the whole call.
// Rejected by: slow_url_times_out_after_per_request
// Message contains: has no time limit of per_request
// Cause: no-timeout

async fn status_of(client: &Client, url: &str, _per_request: Duration) -> Result<u16, FetchError> {
    let response = client.get(url).send().await.map_err(classify)?;
    Ok(response.status().as_u16())
}

async fn title_of(
    client: &Client,
    url: &str,
    _per_request: Duration,
) -> Result<String, FetchError> {
    let response = client.get(url).send().await.map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let post: Titled = response.json().await.map_err(classify)?;
    Ok(post.title)
}
