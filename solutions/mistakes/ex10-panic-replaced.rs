// Mistake: `expect`s every task's result, so a job's panic reaches the caller as a different panic ("a job panicked: ..."), not the job's own.
// Rejected by: a_job_panic_reaches_the_caller_unchanged
// Message contains: The job's panic was replaced by another one
// Cause: error-swallowed

async fn join_tasks<T: 'static>(mut tasks: JoinSet<T>) -> Vec<T> {
    let mut done = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        done.push(joined.expect("a job panicked"));
    }
    done
}
