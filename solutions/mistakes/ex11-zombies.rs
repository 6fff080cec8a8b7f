// Mistake: closes each worker's stdin at the end but never calls `wait`: every worker process exits and stays behind as a zombie.
// Rejected by: every_worker_is_waited_for
// Message contains: never waited for (zombies)
// Cause: never-joined

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin tells the worker to exit: that's all it takes.
        drop(self.stdin.take());
    }
}
