//! The few GitHub REST calls `class fetch` makes, over a blocking client.
//!
//! The token goes only to the API's own origin (`--api-url`): a `next` page
//! on another origin is refused, and the artifact download's redirect (a
//! short-lived URL on another host, signed in its query) is followed by
//! hand without it. Every body is read with a cap. Rate limits are waited
//! out when the wait is short, else reported with the time they reset.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ureq::http::{Response, StatusCode};
use ureq::Body;

/// A page of the API's JSON: far above a page of 100 repositories.
const MAX_JSON_BYTES: u64 = 8 << 20;
/// How often one request is retried after waiting out a rate limit.
const RATE_LIMIT_RETRIES: u32 = 3;

/// Why a call gave no answer to use.
#[derive(Debug)]
pub enum ApiError {
    /// An HTTP error status, with GitHub's own message when it sent one.
    Status { code: u16, message: String },
    /// The rate limit is used up for longer than the caller waits.
    RateLimited { resets_in: Duration },
    /// No HTTP answer at all (DNS, TLS, connection, timeout).
    Network(String),
    /// The body is bigger than the cap: not read.
    TooLarge { limit: u64 },
    /// The body is not the JSON expected.
    BadAnswer(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Status { code, message } if message.is_empty() => write!(f, "HTTP {code}"),
            ApiError::Status { code, message } => write!(f, "HTTP {code}: {message}"),
            ApiError::RateLimited { resets_in } => write!(
                f,
                "GitHub's rate limit is used up; it resets at {} (in {} s)",
                clock_after(*resets_in),
                resets_in.as_secs()
            ),
            ApiError::Network(e) => write!(f, "no answer: {e}"),
            ApiError::TooLarge { limit } => write!(f, "the answer is over {limit} bytes; not read"),
            ApiError::BadAnswer(e) => write!(f, "an answer GitHub does not give: {e}"),
        }
    }
}

/// The UTC wall-clock time `d` from now, as `HH:MM:SS UTC`.
fn clock_after(d: Duration) -> String {
    let at = chrono::Utc::now() + chrono::Duration::from_std(d).unwrap_or_default();
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub struct GitHub {
    agent: ureq::Agent,
    api: String,
    token: String,
    max_wait: Duration,
    /// HTTP requests sent so far (retries included).
    pub requests: usize,
}

impl GitHub {
    /// `api` is the API's root (`https://api.github.com`, or a GitHub
    /// Enterprise server's `https://HOST/api/v3`), without a trailing `/`.
    pub fn new(api: &str, token: String, max_wait: Duration) -> GitHub {
        let agent = ureq::Agent::config_builder()
            // Redirects are followed by hand, without the token.
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!(
                "concurrency-course-checker/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .into();
        GitHub {
            agent,
            api: api.trim_end_matches('/').to_string(),
            token,
            max_wait,
            requests: 0,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// GETs every page of a list, following `Link: <…>; rel="next"`, and
    /// hands each page's JSON to `page`.
    pub fn get_pages(
        &mut self,
        first: &str,
        mut page: impl FnMut(serde_json::Value) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let mut url = Some(first.to_string());
        while let Some(current) = url.take() {
            let mut response = self.get_api(&current)?;
            let next = next_link(&response);
            page(read_json(&mut response)?)?;
            if let Some(next) = next {
                if !self.same_origin(&next) {
                    return Err(ApiError::BadAnswer(format!(
                        "the next page is on another server ({}); the token is not sent there",
                        origin(&next)
                    )));
                }
                url = Some(next);
            }
        }
        Ok(())
    }

    /// GETs one JSON document from the API.
    pub fn get_json(&mut self, url: &str) -> Result<serde_json::Value, ApiError> {
        let mut response = self.get_api(url)?;
        read_json(&mut response)
    }

    /// A GET of the API's JSON, following its redirects (a renamed
    /// repository answers 301) while they stay on the API's origin.
    fn get_api(&mut self, url: &str) -> Result<Response<Body>, ApiError> {
        let mut url = url.to_string();
        for _ in 0..3 {
            let response = self.get(&url, true)?;
            if !response.status().is_redirection() {
                return Ok(response);
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string();
            if !self.same_origin(&location) {
                return Err(ApiError::BadAnswer(format!(
                    "redirected to another server ({}); the token is not sent there",
                    origin(&location)
                )));
            }
            url = location;
        }
        Err(ApiError::BadAnswer("redirected more than 3 times".into()))
    }

    /// Downloads an artifact's zip: the API answers 302 to a short-lived
    /// URL on another host, fetched without the token. At most `limit` bytes.
    pub fn download(&mut self, url: &str, limit: u64) -> Result<Vec<u8>, ApiError> {
        if !self.same_origin(url) {
            return Err(ApiError::BadAnswer(format!(
                "the download is on another server ({}); the token is not sent there",
                origin(url)
            )));
        }
        let mut response = self.get(url, true)?;
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| ApiError::BadAnswer("a redirect without a Location".into()))?
                .to_string();
            tls_available(&location)?;
            response = self.get(&location, false)?;
            if response.status().is_redirection() {
                return Err(ApiError::BadAnswer("redirected twice".into()));
            }
        }
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| body_error(e, limit))
    }

    /// Checks that `url` can be fetched by this build (see [`tls_available`]).
    pub fn reachable(&self) -> Result<(), ApiError> {
        tls_available(&self.api)
    }

    fn same_origin(&self, url: &str) -> bool {
        origin(url) == origin(&self.api)
    }

    /// One GET: an answer with a 2xx or 3xx status, a rate limit waited out
    /// when it resets within `max_wait`, or the error.
    fn get(&mut self, url: &str, with_token: bool) -> Result<Response<Body>, ApiError> {
        for attempt in 0..=RATE_LIMIT_RETRIES {
            let mut request = self.agent.get(url);
            if with_token {
                request = request
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header("Authorization", &format!("Bearer {}", self.token));
            }
            self.requests += 1;
            let mut response = request
                .call()
                .map_err(|e| ApiError::Network(e.to_string()))?;
            let status = response.status();
            if status.is_success() || status.is_redirection() {
                return Ok(response);
            }
            if let Some(wait) = rate_limited(&response) {
                if wait <= self.max_wait && attempt < RATE_LIMIT_RETRIES {
                    std::thread::sleep(wait);
                    continue;
                }
                return Err(ApiError::RateLimited { resets_in: wait });
            }
            return Err(ApiError::Status {
                code: status.as_u16(),
                message: github_message(&mut response),
            });
        }
        unreachable!("the last attempt returns")
    }
}

/// How long to wait when `response` says the rate limit is used up:
/// `Retry-After` (secondary limits), else `X-RateLimit-Reset` when
/// `X-RateLimit-Remaining` is 0 (the primary limit), as GitHub documents.
fn rate_limited(response: &Response<Body>) -> Option<Duration> {
    let status = response.status();
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    if let Some(secs) = header("retry-after") {
        return Some(Duration::from_secs(secs));
    }
    if header("x-ratelimit-remaining") == Some(0) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let reset = header("x-ratelimit-reset").unwrap_or(now + 60);
        return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
    }
    // GitHub's documented fallback for a secondary limit without headers.
    (status == StatusCode::TOO_MANY_REQUESTS).then_some(Duration::from_secs(60))
}

/// GitHub's `{"message": …}` of an error answer, one clean line.
fn github_message(response: &mut Response<Body>) -> String {
    let text = response
        .body_mut()
        .with_config()
        .limit(64 << 10)
        .read_to_string()
        .unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string))
        .unwrap_or_default();
    clean(&message, 200)
}

/// Text from a server, safe for one terminal line: no control characters,
/// at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn read_json(response: &mut Response<Body>) -> Result<serde_json::Value, ApiError> {
    let bytes = response
        .body_mut()
        .with_config()
        .limit(MAX_JSON_BYTES)
        .read_to_vec()
        .map_err(|e| body_error(e, MAX_JSON_BYTES))?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::BadAnswer(format!("not JSON ({e})")))
}

fn body_error(e: ureq::Error, limit: u64) -> ApiError {
    match e {
        ureq::Error::BodyExceedsLimit(_) => ApiError::TooLarge { limit },
        e => ApiError::Network(e.to_string()),
    }
}

/// The `rel="next"` URL of a `Link` header, as GitHub paginates.
fn next_link(response: &Response<Body>) -> Option<String> {
    let link = response.headers().get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// Whether this build can fetch `url`: `https://` needs the `github-tls`
/// feature, which the student's default build leaves out.
pub fn tls_available(url: &str) -> Result<(), ApiError> {
    if cfg!(feature = "github-tls") || !url.starts_with("https://") {
        return Ok(());
    }
    Err(ApiError::Network(format!(
        "{} is https, and this build of the checker has no TLS (students never need it): \
         run `cargo run --features github-tls -- class fetch ...`",
        origin(url)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_needs_the_tls_feature_and_says_how_to_get_it() {
        assert!(tls_available("http://127.0.0.1:8080/x").is_ok());
        let https = tls_available("https://api.github.com");
        if cfg!(feature = "github-tls") {
            assert!(https.is_ok());
        } else {
            let text = https.unwrap_err().to_string();
            assert!(text.contains("--features github-tls"), "{text}");
        }
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("https://api.github.com/orgs/x"),
            "https://api.github.com"
        );
        assert_eq!(origin("http://127.0.0.1:8080?x"), "http://127.0.0.1:8080");
        assert_eq!(origin("https://h"), "https://h");
    }

    #[test]
    fn clean_lines() {
        assert_eq!(clean("a\u{1b}[31mb\nc", 100), "a [31mb c");
        assert_eq!(clean("abcdef", 3), "abc…");
    }
}
