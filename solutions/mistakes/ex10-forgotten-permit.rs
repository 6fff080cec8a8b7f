// Mistake: each task calls `permit.forget()` when its job is done, believing it releases the slot: `forget` removes the permit from the limiter for good.
// Rejected by: every_permit_is_given_back
// Message contains: permits were never given back
// Cause: resource-leaked

async fn job_task<T>(
    i: usize,
    work: impl Future<Output = T>,
    permit: OwnedSemaphorePermit,
) -> (usize, T) {
    let output = work.await;
    // Done with the slot: let it go.
    permit.forget();
    (i, output)
}
