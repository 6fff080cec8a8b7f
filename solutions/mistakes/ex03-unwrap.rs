// Mistake: `expect`s every request, so one refused connection panics and every result is lost.
// Rejected by: refused_connection_fails_only_its_own_slot
// Message contains: results of the good URLs were lost

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

use futures::future::join_all;
use reqwest::Client;

pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let client = Client::new();
    join_all(urls.iter().map(|url| status_of(&client, url, per_request))).await
}

pub async fn fetch_titles(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<String, FetchError>> {
    let client = Client::new();
    join_all(urls.iter().map(|url| title_of(&client, url, per_request))).await
}

async fn status_of(client: &Client, url: &str, per_request: Duration) -> Result<u16, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .expect("request failed");
    Ok(response.status().as_u16())
}

async fn title_of(client: &Client, url: &str, per_request: Duration) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .timeout(per_request)
        .send()
        .await
        .expect("request failed");
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let post: Titled = response.json().await.expect("not a post");
    Ok(post.title)
}

#[derive(serde::Deserialize)]
struct Titled {
    title: String,
}
