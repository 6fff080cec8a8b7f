// Mistake: collects the results in the order the responses arrive, not the input order.
// Rejected by: statuses_keep_input_order
// Message contains: in the order the responses arrived

use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    Timeout,
    Status(u16),
    Network(String),
    Body(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Timeout => write!(f, "the request timed out"),
            FetchError::Status(code) => write!(f, "the server answered with HTTP status {code}"),
            FetchError::Network(why) => write!(f, "network error: {why}"),
            FetchError::Body(why) => write!(f, "unexpected response body: {why}"),
        }
    }
}

impl std::error::Error for FetchError {}

use futures::stream::{FuturesUnordered, StreamExt};
use reqwest::Client;

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

async fn status_of(client: &Client, url: &str, per_request: Duration) -> Result<u16, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .map_err(classify)?;
    Ok(response.status().as_u16())
}

#[derive(serde::Deserialize)]
struct Titled {
    title: String,
}

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
    let post: Titled = response.json().await.map_err(classify)?;
    Ok(post.title)
}

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_decode() {
        FetchError::Body(e.to_string())
    } else {
        FetchError::Network(e.to_string())
    }
}
