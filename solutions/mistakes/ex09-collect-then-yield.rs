// Mistake: as_completed collects the outputs of a FuturesUnordered into a Vec and yields them afterwards: completion order, but nothing comes out before the slowest job is done.
// Rejected by: yields_in_completion_order
// Message contains: held back until then
// Cause: none

use futures::StreamExt;

pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    let running: FuturesUnordered<_> = jobs
        .into_iter()
        .enumerate()
        .map(|(index, job)| async move { (index, job.await) })
        .collect();
    // Gather the results as they complete, then hand them out.
    stream::once(running.collect::<Vec<_>>()).flat_map(stream::iter)
}
