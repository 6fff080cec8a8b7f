//! Wall time of `fetch_statuses` (whatever `src/lib.rs` holds) against the
//! ideal: five endpoints that each answer after 300 ms, fetched together,
//! take 300 ms. Run with `cargo bench -p ex03`.

use std::time::{Duration, Instant};

use httpmock::MockServer;

#[tokio::main]
async fn main() {
    const DELAY: Duration = Duration::from_millis(300);
    let server = MockServer::start_async().await;
    let mut urls = Vec::new();
    for i in 0..5 {
        let path = format!("/slow/{i}");
        server
            .mock_async(|when, then| {
                when.path(path.as_str());
                then.status(200).delay(DELAY);
            })
            .await;
        urls.push(server.url(&path));
    }
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let results = ex03::fetch_statuses(&urls, Duration::from_secs(5)).await;
        assert!(results.iter().all(|r| r == &Ok(200)), "{results:?}");
        best = best.min(start.elapsed());
    }
    println!(
        "ex03 5 URLs answering after 300 ms: {:.0} ms (ideal 300 ms, {:.2}x ideal; one by one: 1500 ms)",
        best.as_secs_f64() * 1e3,
        best.as_secs_f64() / DELAY.as_secs_f64()
    );
}
