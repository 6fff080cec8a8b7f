// Mistake: waits for each worker while still holding its stdin: the worker waits for its next job, the parent waits for the worker to exit, and neither ever does.
// Rejected by: every_worker_is_waited_for
// Message contains: waits for a worker that waits for you
// Cause: channel-never-closed

impl Drop for Worker {
    fn drop(&mut self) {
        // Wait for the worker to finish, then close the pipe.
        let _ = self.child.wait();
        drop(self.stdin.take());
    }
}
