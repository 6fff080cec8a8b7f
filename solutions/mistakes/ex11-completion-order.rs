// Mistake: the worker threads push every result into one shared Vec as it arrives, so the results come back in the order the jobs finished, not in job order.
// Rejected by: results_come_back_in_job_order
// Message contains: returned the right results in the wrong order
// Cause: wrong-order
// Removes: fn serve

use std::sync::Mutex;

pub fn run_jobs(
    worker_exe: &Path,
    workers: NonZeroUsize,
    jobs: &[String],
) -> Vec<Result<String, JobError>> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..workers.get().min(jobs.len()) {
            scope.spawn(|| {
                let mut worker: Option<Worker> = None;
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = run_job(worker_exe, &mut worker, job);
                    // Each result goes into the list as soon as it comes.
                    results.lock().unwrap().push(result);
                }
            });
        }
    });
    results.into_inner().unwrap()
}
