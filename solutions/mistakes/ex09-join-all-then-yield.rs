// Mistake: as_completed awaits every job with join_all and then yields the outputs in input order, all at once when the slowest job is done.
// Rejected by: yields_in_completion_order
// Message contains: in input order, like `join_all`
// Cause: wrong-order

use futures::StreamExt;

pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    stream::once(futures::future::join_all(jobs))
        .flat_map(|outputs| stream::iter(outputs.into_iter().enumerate()))
}
