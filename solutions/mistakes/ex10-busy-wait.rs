// Mistake: waits for a permit by polling `try_acquire_owned` in a loop with `yield_now().await` in between: the runtime never goes idle, so tokio's paused clock never moves on and the running jobs never finish.
// Rejected by: spawned_jobs_stay_within_the_limiter
// Message contains: A task was polling in a loop instead of waiting
// Cause: busy-loop

async fn take_slot(limiter: &Arc<Semaphore>) -> OwnedSemaphorePermit {
    // Don't block: check for a free permit, and let the others run meanwhile.
    loop {
        match Arc::clone(limiter).try_acquire_owned() {
            Ok(permit) => return permit,
            Err(_) => tokio::task::yield_now().await,
        }
    }
}
