// Mistake: runs the jobs in batches of `limit` with `join_all`, waiting for the whole batch before starting the next, so a free slot stays empty until the batch's slowest job is done.
// Rejected by: a_free_slot_is_refilled_at_once
// Message contains: batches: you waited for the whole group before starting the next
// Cause: batches
// Observed peak: 2

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let mut outputs = Vec::with_capacity(inputs.len());
    let mut inputs = inputs.into_iter();
    loop {
        let batch: Vec<Fut> = inputs.by_ref().take(limit.get()).map(&job).collect();
        if batch.is_empty() {
            return outputs;
        }
        outputs.extend(futures::future::join_all(batch).await);
    }
}
