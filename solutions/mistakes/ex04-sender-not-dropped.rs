// Mistake: queues the files on an mpsc channel whose receiver the workers share behind a Mutex, but never drops the Sender: `recv` waits for more files forever and the scope never ends.
// Rejected by: one_worker_reads_one_file_at_a_time
// Message contains: drop(tx)
// Cause: channel-never-closed
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
    // `tx` is still alive: the channel is never closed.
    let rx = Mutex::new(rx);
    let done = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..workers.get() {
            scope.spawn(|| loop {
                let job = rx.lock().unwrap().recv();
                let Ok((i, path)) = job else { break };
                let result = read(path);
                done.lock().unwrap().push((i, result));
            });
        }
    });
    in_input_order(paths.len(), done.into_inner().unwrap())
}
