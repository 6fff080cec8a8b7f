// Mistake: with_connection uses `?` on f's result before releasing, so an Err returns early and the connection is never given back.
// Rejected by: the_connection_is_returned_after_err
// Message contains: an early return with `?` skips the `release` below it
// Cause: resource-leaked
// Removes: struct Checkout, impl Drop for Checkout<'_>

pub async fn with_connection<T, E, F>(pool: &Pool, f: F) -> Result<T, E>
where
    F: AsyncFnOnce(&mut Connection) -> Result<T, E>,
{
    let mut conn = pool.acquire().await;
    let value = f(&mut conn).await?;
    pool.release(conn);
    Ok(value)
}
