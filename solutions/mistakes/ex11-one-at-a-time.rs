// Mistake: starts the worker processes, but drives them all from one loop: send a job, wait for its answer, next job to the next worker. Several processes, one job at a time.
// Rejected by: workers_run_at_the_same_time
// Message contains: one job at a time

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
        let slot = &mut pool[i % workers.get()];
        if slot.is_none() {
            *slot = Worker::start(worker_exe).ok();
        }
        results.push(match slot.as_mut().and_then(|w| w.ask(job)) {
            Some(line) => result_of(line),
            None => {
                *slot = None;
                Err(JobError::WorkerCrashed)
            }
        });
    }
    results
}
