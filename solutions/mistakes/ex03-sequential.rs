// Mistake: awaits each request before sending the next one, so the requests run one at a time.
// Rejected by: five_slow_urls_are_fetched_concurrently
// Message contains: one after another
// Cause: sequential
// Observed peak: 1
// Observed busy: /posts/1, /posts/2, /posts/3, /posts/4, /posts/5

pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let client = Client::new();
    let mut statuses = Vec::new();
    for url in urls {
        statuses.push(status_of(&client, url, per_request).await);
    }
    statuses
}

pub async fn fetch_titles(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<String, FetchError>> {
    let client = Client::new();
    let mut titles = Vec::new();
    for url in urls {
        titles.push(title_of(&client, url, per_request).await);
    }
    titles
}
