// Mistake: runs the `threads` loops as a rayon parallel iterator on the global pool, which has one thread per core: when more threads are asked for than there are cores, some loops wait for others to finish.
// Rejected by: threads_run_at_the_same_time
// Message contains: The work ran on fewer threads than asked
// Cause: under-used

use rayon::prelude::*;

pub fn count_with_threads(counter: &impl Count, threads: usize, per_thread: u64) -> u64 {
    (0..threads)
        .into_par_iter()
        .for_each(|_| increment_times(counter, per_thread));
    counter.get()
}
