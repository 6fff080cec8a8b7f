//! # Exercise 3: fetch URLs concurrently
//!
//! In Python you would fetch five URLs at once like this:
//!
//! ```python
//! async with httpx.AsyncClient() as client:
//!     responses = await asyncio.gather(*(client.get(url) for url in urls))
//! print([r.status_code for r in responses])
//! ```
//!
//! The Rust counterpart is [`reqwest`]: a `reqwest::Client` plays the part of
//! `httpx.AsyncClient`, `client.get(url).send().await` sends one request, and
//! `futures::future::join_all` is your `asyncio.gather`.
//!
//! ## Why one shared `Client`?
//! A `Client` owns a *connection pool*: it keeps TCP (and TLS) connections open
//! and reuses them for the next request to the same server, which saves a
//! handshake per request. Building a client is comparatively expensive, while
//! `&client` (or `client.clone()`, a cheap handle to the same pool) can be used
//! by any number of requests at once. So: build **one** client per call and let
//! every request share it, just like the `async with httpx.AsyncClient()` block.
//! (Build it inside the function rather than in a `static`: pooled connections
//! belong to the tokio runtime that opened them, and every test has its own.)
//!
//! ## Things go wrong, one URL at a time
//! Each URL gets its own `Result`, so one bad URL never spoils the others
//! (think `gather(..., return_exceptions=True)`, but typed). The [`FetchError`]
//! kinds:
//! - `Timeout`: the request did not finish within `per_request`. The server may
//!   be alive but slow; we gave up waiting.
//! - `Network`: we could not have the conversation at all: the connection was
//!   refused, the host does not exist, or the URL is not even a valid URL.
//! - `Status(code)`: the server answered, but with a non-2xx status.
//! - `Body`: the server answered 2xx, but the body is not what we asked for.
//!
//! For [`fetch_statuses`] every answer is a success, `404` and `500` included:
//! the server *did* answer, and the status code is exactly what we want to know.
//!
//! ## Your task
//! 1. [`fetch_statuses`]: one GET per URL, all at the same time, through one
//!    shared client. Return `Ok(status)` for every answer, `Err(Timeout)` for a
//!    request slower than `per_request`, `Err(Network(..))` for a refused
//!    connection or an invalid URL.
//! 2. [`fetch_titles`]: GET each URL (again concurrently, one client) and return
//!    the string field `"title"` of the JSON object it answers with.
//!    A non-2xx status is `Err(Status(code))`; a body that is not JSON, or has no
//!    string `"title"`, is `Err(Body(..))`.
//!
//! Both return one result per URL, **in input order**, whatever order the
//! answers arrive in.
//!
//! ## Useful tools
//! - `reqwest::Client::new()`, then `client.get(url).timeout(per_request).send().await`:
//!   a `Result<reqwest::Response, reqwest::Error>`. (Or wrap the request in
//!   `tokio::time::timeout(per_request, ...)`.)
//! - `response.status()` gives a `StatusCode`: `.as_u16()`, `.is_success()`.
//! - `response.json::<T>().await` decodes the body with serde: derive
//!   `serde::Deserialize` on a struct with a `title: String` field, or use
//!   `serde_json::Value`.
//! - `reqwest::Error` says what went wrong: `e.is_timeout()`, `e.is_decode()`, ...
//!   Its `Display` is short; `std::error::Error::source()` has the details.
//! - `futures::future::join_all(futures)`: runs them all at once and keeps the input order.
//!
//! Run `cargo test -p ex03` to check your work. The tests start a small HTTP
//! server on 127.0.0.1 (no internet needed); a correct solution passes them
//! in a fraction of a second (a wrong one may take a few seconds: the server
//! waits long enough to be sure).

use std::fmt;
use std::time::Duration;

/// Why fetching one URL failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The request took longer than the allowed time.
    Timeout,
    /// The server answered with this non-2xx HTTP status.
    Status(u16),
    /// No conversation with the server: refused connection, unknown host,
    /// invalid URL, ... The text says what happened.
    Network(String),
    /// The server answered, but the body is not what was expected.
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

/// GETs every URL at once and returns each one's HTTP status, in input order.
///
/// Every answer is `Ok(status)`, 404 and 500 included. A request slower than
/// `per_request` is `Err(FetchError::Timeout)`; a refused connection or an
/// invalid URL is `Err(FetchError::Network(..))`.
pub async fn fetch_statuses(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<u16, FetchError>> {
    let _ = (urls, per_request);
    todo!("one shared reqwest::Client, one GET per URL, all at once (join_all)")
}

/// GETs every URL at once and returns the `"title"` of each JSON answer, in input order.
///
/// A non-2xx status is `Err(FetchError::Status(code))`; a body that is not JSON
/// or has no string `"title"` is `Err(FetchError::Body(..))`; timeouts and
/// network errors as in [`fetch_statuses`].
pub async fn fetch_titles(
    urls: &[String],
    per_request: Duration,
) -> Vec<Result<String, FetchError>> {
    let _ = (urls, per_request);
    todo!("like fetch_statuses, then check the status and decode the JSON body's \"title\"")
}
