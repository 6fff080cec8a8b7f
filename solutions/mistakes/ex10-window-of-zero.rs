// Mistake: caps the window at the number of jobs, `limit.min(inputs.len())`: with no inputs that is `buffer_unordered(0)`, which never takes an input and never ends.
// Rejected by: no_inputs_return_at_once
// Message contains: `buffer_unordered(0)`, which never takes a job and never ends
// Cause: none

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    let n = inputs.len();
    // No need for a window wider than the list.
    let window = limit.get().min(n);
    let outputs = futures::stream::iter(inputs.into_iter().enumerate())
        .map(|(i, input)| job(input).map(move |output| (i, output)))
        .buffer_unordered(window);
    in_input_order(n, outputs.collect().await)
}
