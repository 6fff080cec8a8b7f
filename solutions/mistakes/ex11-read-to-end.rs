// Mistake: reads each answer with `read_to_string`, which returns only at the end of the worker's output: the worker ends it only once its stdin is closed, so the first answer never comes.
// Rejected by: every_job_gets_its_answer
// Message contains: reads more than one line per answer
// Cause: none

impl Worker {
    fn ask(&mut self, job: &str) -> Option<String> {
        use std::io::Read;
        let stdin = self.stdin.as_mut()?;
        stdin.write_all(format!("{job}\n").as_bytes()).ok()?;
        // Read everything the worker says about this job.
        let mut text = String::new();
        self.stdout.read_to_string(&mut text).ok()?;
        text.lines().next().map(str::to_string)
    }
}
