// Mistake: fetch_titles reads the body without checking the status, so a 404 page becomes a title.
// Rejected by: error_statuses_are_status_errors_for_titles
// Message contains: Check the status before reading the body
// Cause: none

async fn title_of(client: &Client, url: &str, per_request: Duration) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .map_err(classify)?;
    let post: Titled = response.json().await.map_err(classify)?;
    Ok(post.title)
}
