// Mistake: reads the answers with `lines().next().expect(...)`: when a worker crashes there is no next line, the thread panics, and the panic takes every result down with it.
// Rejected by: a_crash_only_loses_its_own_job
// Message contains: One crash must cost only its own job
// Cause: none

impl Worker {
    fn ask(&mut self, job: &str) -> Option<String> {
        let stdin = self.stdin.as_mut().expect("stdin is piped");
        writeln!(stdin, "{job}").expect("the worker takes the job");
        let line = (&mut self.stdout)
            .lines()
            .next()
            .expect("the worker answers every job")
            .expect("the answer is text");
        Some(line)
    }
}
