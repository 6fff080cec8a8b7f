// Mistake: one timeout around the whole batch: a single slow URL makes every URL time out.
// Rejected by: slow_url_times_out_after_per_request
// Message contains: covers the whole batch
// Cause: shared-timeout

pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let client = Client::new();
    let all = join_all(urls.iter().map(|url| status_of(&client, url)));
    match tokio::time::timeout(per_request, all).await {
        Ok(statuses) => statuses,
        Err(_) => urls.iter().map(|_| Err(FetchError::Timeout)).collect(),
    }
}

pub async fn fetch_titles(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<String, FetchError>> {
    let client = Client::new();
    let all = join_all(urls.iter().map(|url| title_of(&client, url)));
    match tokio::time::timeout(per_request, all).await {
        Ok(titles) => titles,
        Err(_) => urls.iter().map(|_| Err(FetchError::Timeout)).collect(),
    }
}

async fn status_of(client: &Client, url: &str) -> Result<u16, FetchError> {
    let response = client.get(url).send().await.map_err(classify)?;
    Ok(response.status().as_u16())
}

async fn title_of(client: &Client, url: &str) -> Result<String, FetchError> {
    let response = client.get(url).send().await.map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let post: Titled = response.json().await.map_err(classify)?;
    Ok(post.title)
}
