// Mistake: collects `buffer_unordered`'s outputs as they come, so they are in the order the jobs finished, not the order of `inputs`.
// Rejected by: outputs_come_back_in_input_order
// Message contains: in the order the jobs finished
// Cause: wrong-order

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    futures::stream::iter(inputs)
        .map(job)
        .buffer_unordered(limit.get())
        .collect()
        .await
}
