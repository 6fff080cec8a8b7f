// Mistake: collects the results in the order the responses arrive, not the input order.
// Rejected by: statuses_keep_input_order
// Message contains: expected the input order
// Cause: wrong-order

use futures::stream::{FuturesUnordered, StreamExt};

pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let client = Client::new();
    let running: FuturesUnordered<_> = urls
        .iter()
        .map(|url| status_of(&client, url, per_request))
        .collect();
    running.collect().await
}

pub async fn fetch_titles(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<String, FetchError>> {
    let client = Client::new();
    let running: FuturesUnordered<_> = urls
        .iter()
        .map(|url| title_of(&client, url, per_request))
        .collect();
    running.collect().await
}
