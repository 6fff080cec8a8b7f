// Mistake: with_connection calls `pool.release(conn)` on the line after `f(&mut conn).await`, which never runs when the future is dropped at that await (cancelled by a timeout).
// Rejected by: the_connection_is_returned_when_cancelled
// Message contains: the connection never went back to the pool
// Cause: resource-leaked
// Observed peak: 2
// Observed busy: conn 0 out, next user
// Removes: struct Checkout, impl Drop for Checkout<'_>

pub async fn with_connection<T, E, F>(pool: &Pool, f: F) -> Result<T, E>
where
    F: AsyncFnOnce(&mut Connection) -> Result<T, E>,
{
    let mut conn = pool.acquire().await;
    let result = f(&mut conn).await;
    pool.release(conn);
    result
}
