// Mistake: with_connection never gives the connection back: it is dropped at the end of the function, and lost to the pool.
// Rejected by: five_users_share_a_pool_of_two
// Message contains: connections are not given back to the pool
// Cause: resource-leaked
// Observed peak: 2
// Observed busy: user 0, user 1
// Observed empty: user 2, user 3, user 4
// Removes: struct Checkout, impl Drop for Checkout<'_>

pub async fn with_connection<T, E, F>(pool: &Pool, f: F) -> Result<T, E>
where
    F: AsyncFnOnce(&mut Connection) -> Result<T, E>,
{
    let mut conn = pool.acquire().await;
    f(&mut conn).await
}
