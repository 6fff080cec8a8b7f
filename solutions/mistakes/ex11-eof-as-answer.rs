// Mistake: never checks for end of file: after a crash `read_line` returns Ok(0) with an empty line, which becomes Err(BadReply("")), and the dead worker keeps getting jobs (write errors ignored).
// Rejected by: a_crash_only_loses_its_own_job
// Message contains: `read_line` returns Ok(0)
// Cause: error-swallowed

impl Worker {
    fn ask(&mut self, job: &str) -> Option<String> {
        let stdin = self.stdin.as_mut()?;
        let _ = writeln!(stdin, "{job}");
        let mut line = String::new();
        self.stdout.read_line(&mut line).ok()?;
        Some(line.trim_end().to_string())
    }
}
