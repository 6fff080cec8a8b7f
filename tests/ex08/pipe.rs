//! The named pipe (a FIFO, unix only) that shows whether `count_lines` blocks
//! the runtime's thread, opening or reading.
//!
//! A FIFO blocks its reader twice: `File::open` waits until a writer opens
//! the other end, and `read` waits until data arrives. The grader's writer
//! (a thread of its own) pings the heartbeat at both moments:
//!
//! 1. **before it opens its end**, while `count_lines` waits to open the
//!    pipe. On Linux it first waits (at most [`PATIENCE`]) until some thread
//!    of the process is seen waiting to open a FIFO (`/proc/…/wchan` is
//!    `wait_for_partner`), so an open that comes after an `.await` is caught
//!    too; an open made in `count_lines`' first poll is caught on every unix,
//!    since the heartbeat cannot run before that poll returns.
//! 2. **after writing more than a pipe holds** (so `write_all` returns only
//!    once the reader has taken most of it: the reader is reading), and
//!    before the last lines, while the reader waits for them.
//!
//! When the runtime's thread is the one waiting, the heartbeat cannot answer.
//! On Linux the writer also notes which threads were waiting, by their
//! kernel ids, so the diagnosis can say which call blocked: the runtime's
//! thread is recognised by the id it noted itself, never by its name (a
//! thread made with `std::thread::spawn` inherits its parent's name, so a
//! helper thread started on the runtime's thread bears the runtime's name).
//!
//! `std::fs::metadata` (or `Path::exists`) on the runtime's thread blocks on
//! a slow disk too, but nothing makes it wait on a FIFO: this test cannot
//! see it.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use grading::ms;
use tokio::sync::mpsc::UnboundedSender;

use crate::probe::{ping, Ping, Pong, RuntimeThread, PATIENCE};

/// The lines written before the second ping: more bytes than any pipe holds
/// (64 KiB by default, 1 MiB with 64 KiB pages), so writing them returns only
/// once the reader has read most of them.
const BULK_LINES: usize = 150_000;
/// The lines written after the second ping.
const TAIL: &str = "the\nlast\nlines\n";
/// Every line the pipe carries.
pub const LINES: usize = BULK_LINES + 3;

/// What the writer saw.
#[derive(Debug, Default, Clone)]
pub struct PipeLog {
    /// The heartbeat's answer while the pipe had no writer yet.
    pub before_open: Option<Pong>,
    /// Ids of the threads seen waiting to open the pipe then (`None`: this
    /// system does not show it).
    pub openers: Option<Vec<u32>>,
    /// The heartbeat's answer while the reader waited for the last lines.
    pub while_reading: Option<Pong>,
    /// Ids of the threads seen waiting to read then.
    pub readers: Option<Vec<u32>>,
    /// For the picture, since the writer started: each ping (sent, and
    /// answered or given up), when the pipe was opened at both ends, and
    /// when the writer was done.
    pub pings: Vec<(Duration, Duration)>,
    pub opened_at: Option<Duration>,
    pub done_at: Option<Duration>,
}

/// Makes a named pipe (a FIFO) at `path`.
pub fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("the grader could not run `mkfifo`");
    assert!(status.success(), "the grader could not make a named pipe");
}

/// The ids of this process's threads whose kernel wait channel contains
/// `wait` (Linux). `None` where `/proc` does not tell.
fn threads_waiting_in(wait: &str) -> Option<Vec<u32>> {
    let tasks = fs::read_dir("/proc/self/task").ok()?;
    let mut ids = Vec::new();
    for task in tasks.flatten() {
        let Ok(wchan) = fs::read_to_string(task.path().join("wchan")) else {
            continue;
        };
        if let (true, Some(id)) = (
            wchan.contains(wait),
            task.file_name().to_str().and_then(|n| n.parse().ok()),
        ) {
            ids.push(id);
        }
    }
    Some(ids)
}

/// The grader's end of the pipe (see the module documentation).
pub struct PipeWriter {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    opened: Arc<AtomicBool>,
    log: Arc<Mutex<PipeLog>>,
    done: Receiver<()>,
    ended: bool,
    runtime: RuntimeThread,
}

impl PipeWriter {
    pub fn start(path: &Path, heartbeat: UnboundedSender<Ping>) -> Self {
        let runtime = RuntimeThread::default();
        let stop = Arc::new(AtomicBool::new(false));
        let opened = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(PipeLog::default()));
        let (finished, done) = mpsc::channel();
        let writer = Writer {
            path: path.to_path_buf(),
            heartbeat,
            stop: Arc::clone(&stop),
            opened: Arc::clone(&opened),
            log: Arc::clone(&log),
            runtime: Arc::clone(&runtime),
        };
        thread::spawn(move || {
            writer.run();
            let _ = finished.send(());
        });
        PipeWriter {
            path: path.to_path_buf(),
            stop,
            opened,
            log,
            done,
            ended: false,
            runtime,
        }
    }

    /// Where the runtime notes its thread's id (see `run_count_lines`).
    pub fn runtime(&self) -> RuntimeThread {
        Arc::clone(&self.runtime)
    }

    /// Waits for the writer to finish (a correct `count_lines` has read
    /// everything by now), then says what it saw.
    pub fn finish(mut self) -> PipeLog {
        self.ended = self.done.recv_timeout(PATIENCE).is_ok();
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.clone()
    }
}

impl Drop for PipeWriter {
    /// Stops a writer that is still waiting: one blocked in `open` (nobody
    /// opened the pipe to read) is released by opening it read-write, which
    /// never blocks, until the writer is gone.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if !self.ended && !self.opened.load(Ordering::SeqCst) {
            let _release = OpenOptions::new().read(true).write(true).open(&self.path);
            let _ = self.done.recv_timeout(PATIENCE);
        }
    }
}

struct Writer {
    path: PathBuf,
    heartbeat: UnboundedSender<Ping>,
    stop: Arc<AtomicBool>,
    opened: Arc<AtomicBool>,
    log: Arc<Mutex<PipeLog>>,
    runtime: RuntimeThread,
}

impl Writer {
    fn note(&self, change: impl FnOnce(&mut PipeLog)) {
        change(&mut self.log.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn run(&self) {
        let start = Instant::now();
        self.write(start);
        self.note(|log| log.done_at = Some(start.elapsed()));
    }

    /// Pings the heartbeat, noting when for the picture.
    fn ping(&self, start: Instant) -> Pong {
        let sent = start.elapsed();
        let answer = ping(&self.heartbeat, &self.runtime);
        self.note(|log| log.pings.push((sent, start.elapsed())));
        answer
    }

    fn write(&self, start: Instant) {
        // 1. Until someone waits to open the pipe (where /proc shows it).
        while threads_waiting_in("wait_for_partner").is_some_and(|names| names.is_empty())
            && start.elapsed() < PATIENCE
            && !self.stopped()
        {
            thread::sleep(ms(1));
        }
        let answer = self.ping(start);
        let openers = threads_waiting_in("wait_for_partner");
        self.note(|log| {
            log.before_open = Some(answer);
            log.openers = openers;
        });
        if answer == Pong::Gone || self.stopped() {
            return;
        }

        // 2. Open (waits for the reader), then more than the pipe holds.
        let Ok(mut pipe) = OpenOptions::new().write(true).open(&self.path) else {
            return;
        };
        self.opened.store(true, Ordering::SeqCst);
        self.note(|log| log.opened_at = Some(start.elapsed()));
        if self.stopped() {
            return;
        }
        let bulk: String = (0..BULK_LINES).map(|i| format!("line {i}\n")).collect();
        if pipe.write_all(bulk.as_bytes()).is_err() {
            return;
        }
        if answer == Pong::Answered {
            let answer = self.ping(start);
            let readers = threads_waiting_in("pipe_read");
            self.note(|log| {
                log.while_reading = Some(answer);
                log.readers = readers;
            });
        }
        let _ = pipe.write_all(TAIL.as_bytes());
    }
}

/// Whether the runtime's own thread is among the threads `ids`.
pub fn runtime_among(ids: &Option<Vec<u32>>, runtime: &RuntimeThread) -> bool {
    match (ids, runtime.get()) {
        (Some(ids), Some(runtime)) => ids.contains(runtime),
        _ => false,
    }
}
