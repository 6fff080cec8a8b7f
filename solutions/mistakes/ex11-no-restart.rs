// Mistake: starts each thread's worker once and never replaces it: after a crash, every job that thread takes gets Err(WorkerCrashed); with a single worker, nothing after the first crash is done.
// Rejected by: a_lone_worker_is_restarted_after_a_crash
// Message contains: never done

fn serve(
    worker_exe: &Path,
    jobs: &[String],
    next: &AtomicUsize,
) -> Vec<(usize, Result<String, JobError>)> {
    let mut done = Vec::new();
    let mut worker = Worker::start(worker_exe).ok();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        let result = match worker.as_mut().and_then(|w| w.ask(job)) {
            Some(line) => result_of(line),
            None => {
                worker = None;
                Err(JobError::WorkerCrashed)
            }
        };
        done.push((i, result));
    }
    done
}
