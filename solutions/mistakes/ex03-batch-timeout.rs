// Mistake: one timeout around the whole batch: a single slow URL makes every URL time out.
// Rejected by: slow_url_times_out_after_per_request
// Message contains: covers the whole batch

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
use tokio::time::timeout;

pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let client = Client::new();
    let all = join_all(urls.iter().map(|url| status_of(&client, url)));
    match timeout(per_request, all).await {
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
    match timeout(per_request, all).await {
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

#[derive(serde::Deserialize)]
struct Titled {
    title: String,
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
