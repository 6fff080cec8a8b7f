// Mistake: a worker stops at the first error, as `?` would, and the files it had not read yet get an error instead of their contents.
// Rejected by: an_error_does_not_stop_the_other_reads
// Message contains: the pool stopped reading after the error
// Cause: none

fn worker<F>(paths: &[PathBuf], next: &AtomicUsize, read: &F) -> Vec<(usize, io::Result<String>)>
where
    F: Fn(&Path) -> io::Result<String>,
{
    let mut done = Vec::new();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = paths.get(i) else { break };
        let result = read(path);
        let failed = result.is_err();
        done.push((i, result));
        // Give up, as `?` would.
        if failed {
            break;
        }
    }
    done
}

// The files no worker read get an error.
fn in_input_order(n: usize, done: Vec<(usize, io::Result<String>)>) -> Vec<io::Result<String>> {
    let mut slots: Vec<Option<io::Result<String>>> = (0..n).map(|_| None).collect();
    for (i, result) in done {
        slots[i] = Some(result);
    }
    slots
        .into_iter()
        .map(|slot| {
            slot.unwrap_or_else(|| Err(io::Error::other("not read: an earlier file failed")))
        })
        .collect()
}
