// Mistake: starts a fresh worker process for every job (spawn, send one job, close, wait): at most `workers` at once, but not a pool.
// Rejected by: every_job_gets_its_answer
// Message contains: A new process for every job is not a pool

fn serve(
    worker_exe: &Path,
    jobs: &[String],
    next: &AtomicUsize,
) -> Vec<(usize, Result<String, JobError>)> {
    let mut done = Vec::new();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        // A fresh worker for every job: nothing can go stale.
        let mut worker = Worker::start(worker_exe).ok();
        let result = match worker.as_mut().and_then(|w| w.ask(job)) {
            Some(line) => result_of(line),
            None => Err(JobError::WorkerCrashed),
        };
        done.push((i, result));
    }
    done
}
