// Mistake: starts the worker processes, but drives them all from one loop: send a job, wait for its answer, next job to the next worker. Several processes, one job at a time.
// Rejected by: workers_run_at_the_same_time
// Message contains: one job at a time
// Cause: sequential
// Removes: fn serve

pub fn run_jobs(
    worker_exe: &Path,
    workers: NonZeroUsize,
    jobs: &[String],
) -> Vec<Result<String, JobError>> {
    let mut pool: Vec<Option<Worker>> = (0..workers.get().min(jobs.len()))
        .map(|_| Worker::start(worker_exe).ok())
        .collect();
    let mut results = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        // Round robin over the workers.
        results.push(run_job(worker_exe, &mut pool[i % workers.get()], job));
    }
    results
}
