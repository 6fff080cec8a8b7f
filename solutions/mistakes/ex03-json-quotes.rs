// Mistake: reads the title through `serde_json::Value` and `to_string()`, which writes it back
// as JSON: `"\"sunt aut facere\""`, quotes included.
// Rejected by: titles_are_read_from_json
// Message contains: still wrapped in its JSON quotes
// Cause: none

async fn title_of(client: &Client, url: &str, per_request: Duration) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let post: serde_json::Value = response.json().await.map_err(classify)?;
    match post.get("title") {
        Some(title) => Ok(title.to_string()),
        None => Err(FetchError::Body("no \"title\" field".to_string())),
    }
}
