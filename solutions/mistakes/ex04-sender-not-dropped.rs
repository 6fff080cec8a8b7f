// Mistake: queues the files on a channel but never drops the Sender, so the workers' `for job in rx` loops wait for more files forever and the scope never ends.
// Rejected by: one_worker_reads_one_file_at_a_time
// Message contains: drop(tx)

use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread;

use crossbeam::channel;

pub fn read_all(paths: &[PathBuf], workers: NonZeroUsize) -> Vec<io::Result<String>> {
    read_all_with(paths, workers, |path| std::fs::read_to_string(path))
}

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let (tx, rx) = channel::unbounded();
    for job in paths.iter().enumerate() {
        tx.send(job).expect("the workers hold the receiver");
    }
    let results: Mutex<Vec<Option<io::Result<String>>>> =
        Mutex::new((0..paths.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..workers.get() {
            let rx = rx.clone();
            let (read, results) = (&read, &results);
            scope.spawn(move || {
                for (i, path) in rx {
                    let result = read(path);
                    results.lock().unwrap()[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|slot| slot.expect("every file was read"))
        .collect()
}
