// Mistake: takes every answer for a result: it strips `ok ` if it is there, so the worker's `error: ...` comes back as Ok instead of Err(BadReply).
// Rejected by: a_refused_job_is_a_bad_reply
// Message contains: which is not a result
// Cause: error-swallowed

fn result_of(line: String) -> Result<String, JobError> {
    Ok(line.trim_start_matches("ok ").to_string())
}
