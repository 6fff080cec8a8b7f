// Mistake: as_completed runs the jobs with `buffer_unordered(8)`, so never more than 8 of them at once.
// Rejected by: a_thousand_jobs_take_the_longest_delay
// Message contains: at most 8 ran at once
// Cause: under-used
// Observed peak: 8
// Observed busy: job 0, job 999

use futures::StreamExt;

pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    stream::iter(
        jobs.into_iter()
            .enumerate()
            .map(|(index, job)| async move { (index, job.await) }),
    )
    .buffer_unordered(8)
}
