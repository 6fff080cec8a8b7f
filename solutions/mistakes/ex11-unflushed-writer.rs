// Mistake: wraps the worker's stdin in a `BufWriter` and never flushes it: the job stays in the buffer, the worker waits for it, and `run_jobs` waits for the answer forever.
// Rejected by: every_job_gets_its_answer
// Message contains: a `BufWriter` (or `LineWriter`) that is never flushed
// Cause: not-flushed

use std::io::BufWriter;

struct Worker {
    child: Child,
    stdin: Option<BufWriter<ChildStdin>>,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn start(exe: &Path) -> io::Result<Worker> {
        let mut child = Command::new(exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        // Buffered, so that each job is one write.
        let stdin = child.stdin.take().map(BufWriter::new);
        let stdout = child.stdout.take().expect("stdout was piped");
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }
}
