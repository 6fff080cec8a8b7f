// Mistake: the workers share an mpsc receiver behind a Mutex and loop with `while let Ok(job) = rx.lock().unwrap().recv()`: the guard lives for the whole loop body, so each read holds the lock and the reads run one at a time.
// Rejected by: four_workers_read_ten_files_together
// Message contains: keeps the receiver locked for the whole loop body
// Cause: lock-held-while-waiting
// Observed peak: 1
// Observed busy: worker 1
// Removes: fn worker

use std::sync::{mpsc, Mutex};

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let (tx, rx) = mpsc::channel();
    for job in paths.iter().enumerate() {
        tx.send(job).expect("the receiver is still here");
    }
    drop(tx);
    let rx = Mutex::new(rx);
    let done = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..workers.get().min(paths.len()) {
            scope.spawn(|| {
                while let Ok((i, path)) = rx.lock().unwrap().recv() {
                    let result = read(path);
                    done.lock().unwrap().push((i, result));
                }
            });
        }
    });
    in_input_order(paths.len(), done.into_inner().unwrap())
}
