// Mistake: fetch_titles uses `error_for_status()` and sorts its error like any other, so a 404
// becomes a network error instead of `Status(404)`.
// Rejected by: error_statuses_are_status_errors_for_titles
// Message contains: not a network error
// Cause: none

async fn title_of(client: &Client, url: &str, per_request: Duration) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(classify)?;
    let post: Titled = response.json().await.map_err(classify)?;
    Ok(post.title)
}
