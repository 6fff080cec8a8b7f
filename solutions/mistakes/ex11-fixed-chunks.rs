// Mistake: deals the jobs out up front, one contiguous chunk per worker: a worker stuck on a slow job keeps its other jobs waiting while the other workers run out of work.
// Rejected by: a_slow_job_does_not_hold_up_the_others
// Message contains: queued behind the slow job
// Cause: under-used

pub fn run_jobs(
    worker_exe: &Path,
    workers: NonZeroUsize,
    jobs: &[String],
) -> Vec<Result<String, JobError>> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let size = jobs.len().div_ceil(workers.get());
    thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(size)
            .map(|chunk| {
                // Each thread gets its own share of the jobs, in order.
                scope.spawn(move || {
                    let next = AtomicUsize::new(0);
                    serve(worker_exe, chunk, &next)
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .map(|(_, result)| result)
            .collect()
    })
}
