// Mistake: starts a fresh worker process for every job (spawn, send one job, close, wait): at most `workers` at once, but not a pool.
// Rejected by: every_job_gets_its_answer
// Message contains: A new process for every job is not a pool
// Cause: resource-per-call

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
        let mut worker = None;
        done.push((i, run_job(worker_exe, &mut worker, job)));
    }
    done
}
