//! The worker program of exercise 11. It is PROVIDED: you do not need to
//! change it (and the tests rely on it as it is).
//!
//! It reads one job per line on its stdin and answers each job with one line
//! on its stdout, in order, flushing every answer. When its stdin is closed
//! (end of file), it exits.
//!
//! | job              | answer                                                      |
//! |------------------|-------------------------------------------------------------|
//! | `27`             | `ok 4242 collatz(27)=111`: the number of Collatz steps from 27 down to 1 (4242 is this worker's process id) |
//! | `meet 3 DIR`     | `ok 4242 met 3/3` once 3 `meet` jobs have put a file in DIR, or `ok 4242 gave-up 1/3` after waiting 2 s |
//! | `crash`          | none: the worker dies on the spot, exit status 101          |
//! | `cut 27`         | `ok 4242 collatz(27)=11`: the answer to `27` without its last character and without a line end, then the worker dies (exit status 101): a worker that dies in the middle of its answer |
//! | anything else    | `error: unknown job "..."`                                  |
//!
//! `meet` is how the tests see workers run side by side: it only succeeds if
//! N workers are inside a `meet` on DIR at the same time. The first one to
//! give up leaves a `gave-up` file in DIR, so the meets after it do not wait
//! again.
//!
//! For the tests' zombie check: if a folder named `ex11-pids` sits next to
//! the path this program was started by, it first writes an empty file named
//! after its process id there. It then appends one letter to that file for
//! every job it reads (`r`), every answer it has flushed (`a`) and before it
//! dies on purpose (`x`), so the tests can see how far a worker got.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process;
use std::thread;
use std::time::{Duration, Instant};

/// How long a `meet` waits for the others.
const MEET_PATIENCE: Duration = Duration::from_secs(2);
/// The exit status of a `crash`: what a panicking Rust program exits with.
const CRASH_STATUS: i32 = 101;

fn main() {
    let log = note_pid();
    let mut meets = 0_u64;
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        // A line that is not UTF-8, or a read error: stop as at end of file.
        let Ok(line) = line else { break };
        note(log.as_deref(), b"r");
        let job = line.trim_end_matches('\r');
        let answer = if job == "crash" {
            // No answer, no clean-up: as if the process had crashed.
            note(log.as_deref(), b"x");
            process::exit(CRASH_STATUS);
        } else if let Some(n) = job.strip_prefix("cut ") {
            // Half an answer: all but its last character, no line end.
            let answer = n.parse().map_or_else(|_| format!("error: {n}"), collatz);
            let cut = &answer[..answer.len() - 1];
            let _ = out.write_all(cut.as_bytes()).and_then(|()| out.flush());
            note(log.as_deref(), b"x");
            process::exit(CRASH_STATUS);
        } else if let Ok(n) = job.parse::<u64>() {
            collatz(n)
        } else if let Some(args) = job.strip_prefix("meet ") {
            meets += 1;
            meet(args, meets)
        } else {
            format!("error: unknown job {job:?}")
        };
        // The reader is gone (its end of the pipe is closed): nobody to answer.
        if writeln!(out, "{answer}")
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
        note(log.as_deref(), b"a");
    }
}

/// `27` → `ok <pid> collatz(27)=111`.
fn collatz(start: u64) -> String {
    if start == 0 {
        return "error: collatz needs a number of at least 1".to_string();
    }
    let (mut n, mut steps) = (start, 0_u32);
    while n != 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            match n.checked_mul(3).and_then(|m| m.checked_add(1)) {
                Some(m) => m,
                None => return format!("error: collatz({start}) overflows u64"),
            }
        };
        steps += 1;
    }
    format!("ok {} collatz({start})={steps}", process::id())
}

/// `meet N DIR`: puts a file in DIR, then waits until N files are there.
fn meet(args: &str, seq: u64) -> String {
    let Some((n, dir)) = args.split_once(' ') else {
        return format!("error: expected `meet N DIR`, got `meet {args}`");
    };
    let Ok(n) = n.parse::<usize>() else {
        return format!("error: `{n}` is not a number in `meet {args}`");
    };
    let dir = Path::new(dir);
    let pid = process::id();
    if let Err(e) = fs::write(dir.join(format!("{pid}-{seq}")), "") {
        return format!("error: cannot write into {}: {e}", dir.display());
    }
    let gave_up = dir.join("gave-up");
    let started = Instant::now();
    loop {
        let here = fs::read_dir(dir).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name() != "gave-up")
                .count()
        });
        if here >= n {
            return format!("ok {pid} met {n}/{n}");
        }
        if gave_up.exists() || started.elapsed() >= MEET_PATIENCE {
            let _ = fs::write(&gave_up, "");
            return format!("ok {pid} gave-up {here}/{n}");
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// Writes `<folder of argv[0]>/ex11-pids/<pid>` if that folder exists, and
/// returns its path.
fn note_pid() -> Option<PathBuf> {
    let me = std::env::args_os().next()?;
    let pids = Path::new(&me).parent()?.join("ex11-pids");
    if !pids.is_dir() {
        return None;
    }
    let file = pids.join(process::id().to_string());
    fs::write(&file, "").ok()?;
    Some(file)
}

/// Appends `what` to the pid file, if there is one.
fn note(log: Option<&Path>, what: &[u8]) {
    if let Some(log) = log {
        let appended = fs::OpenOptions::new().append(true).open(log);
        let _ = appended.and_then(|mut f| f.write_all(what));
    }
}
