// Mistake: `buffered(urls.len())`: right for every list but the empty one, where a limit of 0
// never polls the stream, so it never ends.
// Rejected by: empty_input_gives_empty_output
// Message contains: a limit of 0 never starts anything
// Cause: none

use futures::stream::{self, StreamExt};

pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let client = Client::new();
    stream::iter(urls.iter().map(|url| status_of(&client, url, per_request)))
        .buffered(urls.len())
        .collect()
        .await
}

pub async fn fetch_titles(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<String, FetchError>> {
    let client = Client::new();
    stream::iter(urls.iter().map(|url| title_of(&client, url, per_request)))
        .buffered(urls.len())
        .collect()
        .await
}
