// Mistake: returns the answer line as `read_line` gave it: the '\n' at its end stays in every result.
// Rejected by: every_job_gets_its_answer
// Message contains: it still ends with the line end
// Cause: none

impl Worker {
    fn ask(&mut self, job: &str) -> Option<String> {
        let stdin = self.stdin.as_mut()?;
        stdin.write_all(format!("{job}\n").as_bytes()).ok()?;
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(n) if n > 0 && line.ends_with('\n') => Some(line),
            _ => None,
        }
    }
}
