// Mistake: takes whatever `read_line` returns as the answer as long as it is not empty: a line cut short by the worker's death (no '\n') passes for an answer, with a wrong number in it.
// Rejected by: an_answer_cut_short_is_a_crash
// Message contains: A line cut short is no answer
// Cause: error-swallowed

impl Worker {
    fn ask(&mut self, job: &str) -> Option<String> {
        let stdin = self.stdin.as_mut()?;
        stdin.write_all(format!("{job}\n").as_bytes()).ok()?;
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            // Ok(0) is end of file: the worker died before answering.
            Ok(n) if n > 0 => Some(line.trim_end().to_string()),
            _ => None,
        }
    }
}
