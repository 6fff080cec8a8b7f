// Mistake: with_connection catches f's panic to release the connection, then passes the panic on: every path that returns is covered, but a cancelled future never comes back from the await, and its connection is lost.
// Rejected by: the_connection_is_returned_when_cancelled
// Message contains: or after a `catch_unwind` around it
// Cause: resource-leaked
// Removes: struct Checkout, impl Drop for Checkout<'_>

use futures::FutureExt;

pub async fn with_connection<T, E, F>(pool: &Pool, f: F) -> Result<T, E>
where
    F: AsyncFnOnce(&mut Connection) -> Result<T, E>,
{
    let mut conn = pool.acquire().await;
    // Like `finally`: release whatever f does, even when it panics.
    let outcome = std::panic::AssertUnwindSafe(f(&mut conn))
        .catch_unwind()
        .await;
    pool.release(conn);
    match outcome {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
