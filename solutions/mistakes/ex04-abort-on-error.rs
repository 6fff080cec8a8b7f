// Mistake: a worker stops at the first error, as `?` would, and the files it had not read yet get an error instead of their contents.
// Rejected by: an_error_does_not_stop_the_other_reads
// Message contains: the pool stopped reading after the error

pub fn read_all_with<F>(
    paths: &[PathBuf],
    workers: NonZeroUsize,
    read: F,
) -> Vec<io::Result<String>>
where
    F: Fn(&Path) -> io::Result<String> + Sync,
{
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<io::Result<String>>> = (0..paths.len()).map(|_| None).collect();
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.get().min(paths.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        let result = read(path);
                        let failed = result.is_err();
                        done.push((i, result));
                        if failed {
                            break;
                        }
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            for (i, result) in handle.join().expect("a reader panicked") {
                results[i] = Some(result);
            }
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.unwrap_or_else(|| Err(io::Error::other("not read: an earlier file failed")))
        })
        .collect()
}
