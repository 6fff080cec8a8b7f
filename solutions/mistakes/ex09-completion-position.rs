// Mistake: as_completed enumerates the stream of results instead of the jobs, so the index counts the results in completion order instead of naming each result's job.
// Rejected by: each_output_comes_with_its_jobs_index
// Message contains: the index counts the results in the order they came out
// Cause: none

use futures::StreamExt;

pub fn as_completed<F>(jobs: Vec<F>) -> impl Stream<Item = (usize, F::Output)>
where
    F: Future,
{
    jobs.into_iter()
        .collect::<FuturesUnordered<_>>()
        .enumerate()
}
