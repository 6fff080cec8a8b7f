// Mistake: as_completed runs the jobs with `buffer_unordered(jobs.len())`, a window as wide as the list: with no jobs that is `buffer_unordered(0)`, which never takes a job and never ends.
// Rejected by: no_jobs_give_a_stream_that_ends_at_once
// Message contains: `buffer_unordered(jobs.len())` is `buffer_unordered(0)` here
// Cause: none

use futures::StreamExt;

pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    // Every job in flight at once: a window as wide as the list.
    let all = jobs.len();
    stream::iter(
        jobs.into_iter()
            .enumerate()
            .map(|(index, job)| async move { (index, job.await) }),
    )
    .buffer_unordered(all)
}
