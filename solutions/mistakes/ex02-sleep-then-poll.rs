// Mistake: sleeps the whole limit, then polls the op once (Python's `create_task` + `sleep` +
// `done()`): but a future does nothing until it is polled, so even a fast op is never done.
// Rejected by: with_timeout_gives_ok_for_a_fast_op
// Message contains: A future does nothing until it is polled
// Cause: sequential

use futures::FutureExt;

pub async fn with_timeout<F: Future>(op: F, limit: Duration) -> Result<F::Output, TimedOut> {
    tokio::time::sleep(limit).await;
    op.now_or_never().ok_or(TimedOut)
}
