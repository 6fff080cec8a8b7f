// Mistake: starts all `workers` processes up front, even when there are fewer jobs: processes with nothing to do.
// Rejected by: fewer_jobs_than_workers
// Message contains: A worker with no job to do should not be started
// Cause: none
// Observed busy: worker 1, worker 2
// Observed empty: worker 3, worker 4

pub fn run_jobs(
    worker_exe: &Path,
    workers: NonZeroUsize,
    jobs: &[String],
) -> Vec<Result<String, JobError>> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<String, JobError>>> = vec![None; jobs.len()];
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.get())
            .map(|_| scope.spawn(|| serve(worker_exe, jobs, &next)))
            .collect();
        for handle in handles {
            for (i, result) in handle.join().unwrap() {
                results[i] = Some(result);
            }
        }
    });
    results.into_iter().map(Option::unwrap).collect()
}

fn serve(
    worker_exe: &Path,
    jobs: &[String],
    next: &AtomicUsize,
) -> Vec<(usize, Result<String, JobError>)> {
    let mut done = Vec::new();
    // Every thread has its worker ready before the first job comes.
    let mut worker = Worker::start(worker_exe).ok();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        done.push((i, run_job(worker_exe, &mut worker, job)));
    }
    done
}
