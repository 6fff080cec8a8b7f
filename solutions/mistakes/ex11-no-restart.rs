// Mistake: starts each thread's worker once and never replaces it: after a crash, every job that thread takes gets Err(WorkerCrashed); with a single worker, nothing after the first crash is done.
// Rejected by: a_lone_worker_is_restarted_after_a_crash
// Message contains: never done
// Cause: none

fn run_job(worker_exe: &Path, worker: &mut Option<Worker>, job: &str) -> Result<String, JobError> {
    if worker.is_none() {
        *worker = Worker::start(worker_exe).ok();
    }
    match worker.as_mut().and_then(|w| w.ask(job)) {
        Some(line) => result_of(line),
        // The dead worker stays: every job after it goes to it, and fails.
        None => Err(JobError::WorkerCrashed),
    }
}
