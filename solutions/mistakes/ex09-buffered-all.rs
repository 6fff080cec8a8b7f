// Mistake: runs every job at once in a window as wide as the list, `buffered(jobs.len())`: all jobs start together, but `buffered` yields in input order, so a quick job waits behind the slower ones before it.
// Rejected by: yields_in_completion_order
// Message contains: As completed means the quickest job first
// Cause: wrong-order

use futures::StreamExt;

pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    // A window as wide as the list: every job runs at once (and at least 1,
    // so that an empty list ends).
    let window = jobs.len().max(1);
    stream::iter(
        jobs.into_iter()
            .enumerate()
            .map(|(index, job)| async move { (index, job.await) }),
    )
    .buffered(window)
}
