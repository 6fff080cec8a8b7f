// Mistake: as_completed awaits the jobs one after another with `then`, so each job starts only when the one before it is done.
// Rejected by: jobs_all_start_at_once
// Message contains: jobs ran one at a time, never two at once
// Cause: sequential
// Observed peak: 1
// Observed busy: job 0, job 3

use futures::StreamExt;

pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    stream::iter(jobs.into_iter().enumerate())
        .then(|(index, job)| async move { (index, job.await) })
}
