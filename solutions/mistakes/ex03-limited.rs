// Mistake: runs at most two requests at a time (`buffered(2)`), "to be nice to the server": the
// third request waits for one of the first two answers, so the requests do not all run at once.
// Rejected by: five_slow_urls_are_fetched_concurrently
// Message contains: sent 2 of its 5 requests
// Cause: under-used

use futures::stream::{self, StreamExt};

pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let client = Client::new();
    stream::iter(urls)
        .map(|url| status_of(&client, url, per_request))
        .buffered(2)
        .collect()
        .await
}

pub async fn fetch_titles(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<String, FetchError>> {
    let client = Client::new();
    stream::iter(urls)
        .map(|url| title_of(&client, url, per_request))
        .buffered(2)
        .collect()
        .await
}
