// Mistake: waits for the last worker of each thread at the end, but replaces a crashed worker without waiting for it: each crash leaves a zombie behind.
// Rejected by: every_worker_is_waited_for
// Message contains: never waited for (zombies)
// Cause: never-joined
// Adds: impl Worker::fn finish
// Removes: impl Drop for Worker

fn serve(
    worker_exe: &Path,
    jobs: &[String],
    next: &AtomicUsize,
) -> Vec<(usize, Result<String, JobError>)> {
    let mut done = Vec::new();
    let mut worker: Option<Worker> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        done.push((i, run_job(worker_exe, &mut worker, job)));
    }
    // Only the last worker is finished: a crashed one was set to `None` by
    // `run_job` and simply forgotten, since it is gone anyway.
    if let Some(worker) = worker {
        worker.finish();
    }
    done
}

impl Worker {
    fn finish(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
