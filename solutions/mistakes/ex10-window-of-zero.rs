// Mistake: caps the window at the number of jobs, `limit.min(inputs.len())`: with no inputs that is `buffer_unordered(0)`, which never takes an input and never ends.
// Rejected by: no_inputs_return_at_once
// Message contains: `buffer_unordered(0)`, which never takes a job and never ends

pub async fn run_bounded<I, T, F, Fut>(inputs: Vec<I>, limit: NonZeroUsize, job: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T>,
{
    // No need for a window wider than the list.
    let window = limit.get().min(inputs.len());
    let mut slots: Vec<Option<T>> = (0..inputs.len()).map(|_| None).collect();
    let mut outputs = futures::stream::iter(inputs.into_iter().enumerate())
        .map(|(i, input)| job(input).map(move |output| (i, output)))
        .buffer_unordered(window);
    while let Some((i, output)) = outputs.next().await {
        slots[i] = Some(output);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("one output per input"))
        .collect()
}
