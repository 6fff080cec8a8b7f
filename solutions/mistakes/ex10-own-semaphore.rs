// Mistake: copies the limiter's permit count into a Semaphore of its own, so each call limits only itself: two callers sharing a limiter of 2 run 4 jobs at once.
// Rejected by: two_callers_share_one_limiter
// Message contains: Each call limited only itself
// Cause: unbounded
// Observed peak: 4

pub async fn spawn_bounded<I, T, F, Fut>(inputs: Vec<I>, limiter: Arc<Semaphore>, job: F) -> Vec<T>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    // The same number of slots as the limiter: same thing, right?
    let own = Arc::new(Semaphore::new(limiter.available_permits()));
    let n = inputs.len();
    let mut tasks = JoinSet::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let permit = take_slot(&own).await;
        tasks.spawn(job_task(i, job(input), permit));
    }
    in_input_order(n, join_tasks(tasks).await)
}
