//! The provided server program (`src/bin/server.rs`) in a child process: the
//! load test's server. The child is this test binary started again with
//! [`CHILD_ENV`] set, so it always runs the same student code as the suite,
//! even when the checker copies the binary away.

use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use grading::{cut, fmt_duration, payload_text};

use crate::client::{problem, Problem};
use crate::server_program;

/// Set in the child process: it runs the server program instead of the test.
pub const CHILD_ENV: &str = "EX13_SERVER_CHILD";
/// The test that doubles as the child's entry point.
const LOAD_TEST: &str = "ten_thousand_clients_at_once";
const LISTENING: &str = "ex13-server listening on ";
const PANIC_MARK: &str = "ex13-child-panicked: ";
const ERROR_MARK: &str = "ex13-child-error: ";
/// How long the server process may take to print its address.
const START_WAIT: Duration = Duration::from_secs(3);

/// The child's side: the provided server program, with its panics reported on
/// stdout, and a lifeline: once stdin is closed (the test is over, or gone),
/// the process ends within 2 s even if `serve` never returns.
pub fn run_server_child() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let text = payload_text(info.payload());
        println!("{PANIC_MARK}{location}\t{}", text.replace('\n', " "));
    }));
    thread::spawn(|| {
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        thread::sleep(Duration::from_secs(2));
        std::process::exit(0);
    });
    if let Err(e) = server_program::main() {
        println!("{ERROR_MARK}{e}");
    }
}

/// What the child printed that the test cares about.
#[derive(Default)]
struct ChildLog {
    panics: Vec<String>,
    errors: Vec<String>,
}

/// The server program in a child process; killed when dropped.
pub struct ServerProcess {
    /// `None` only while being dropped.
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    pub addr: SocketAddr,
    log: Arc<Mutex<ChildLog>>,
    /// Receives once the child's stdout has ended.
    output_ended: mpsc::Receiver<()>,
}

impl ServerProcess {
    pub fn start() -> Result<ServerProcess, Problem> {
        let exe = std::env::current_exe().map_err(|e| {
            problem(
                format!("the grader could not find its own program: {e}."),
                "run the tests again.",
            )
        })?;
        let mut child = Command::new(exe)
            .args([
                LOAD_TEST,
                "--exact",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ])
            .env(CHILD_ENV, "1")
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                problem(
                    format!("the grader could not start the server process: {e}."),
                    "run the tests again.",
                )
            })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let log = Arc::new(Mutex::new(ChildLog::default()));
        let (tx, rx) = mpsc::channel();
        let (ended, output_ended) = mpsc::channel();
        let child_log = Arc::clone(&log);
        thread::spawn(move || {
            let _ended = ended;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut log = child_log.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(addr) = line.strip_prefix(LISTENING) {
                    let _ = tx.send(addr.trim().parse::<SocketAddr>());
                } else if let Some(text) = line.strip_prefix(PANIC_MARK) {
                    log.panics.push(text.to_string());
                } else if let Some(text) = line.strip_prefix(ERROR_MARK) {
                    log.errors.push(text.to_string());
                }
            }
        });
        let mut server = ServerProcess {
            child: Some(child),
            stdin,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
            output_ended,
        };
        match rx.recv_timeout(START_WAIT) {
            Ok(Ok(addr)) => {
                server.addr = addr;
                Ok(server)
            }
            Ok(Err(e)) => Err(problem(
                format!("the server program printed an address the grader cannot read: {e}."),
                "leave src/bin/server.rs as it was provided.",
            )),
            Err(_) => {
                server.settle();
                Err(problem(
                    format!(
                        "the server program did not print `{LISTENING}<address>` within {}{}.",
                        fmt_duration(START_WAIT),
                        server.ending()
                    ),
                    "leave src/bin/server.rs as it was provided.",
                ))
            }
        }
    }

    fn child(&mut self) -> &mut Child {
        self.child
            .as_mut()
            .expect("the child is there until dropped")
    }

    pub fn pid(&mut self) -> u32 {
        self.child().id()
    }

    /// Gives a dying child a moment to print its last lines.
    fn settle(&mut self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(300) {
            if !matches!(self.child().try_wait(), Ok(None)) {
                thread::sleep(Duration::from_millis(50));
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// " (the server process has ended: ...)" if it has.
    pub fn ending(&mut self) -> String {
        let log = Arc::clone(&self.log);
        let log = log.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(error) = log.errors.first() {
            return format!(" (`serve` returned Err({}))", cut(error, 80));
        }
        match self.child().try_wait() {
            Ok(Some(status)) => format!(" (the server process has ended: {status})"),
            _ => String::new(),
        }
    }

    /// After a failure: the first panic the child reported, as
    /// "src/lib.rs:12\tmessage". Gives a dying child a moment to report it,
    /// then kills it and reads all it printed.
    pub fn last_words(&mut self) -> Option<String> {
        self.settle();
        self.kill();
        let _ = self.output_ended.recv_timeout(Duration::from_secs(2));
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.panics.first().cloned()
    }

    /// Kills the process (the signal only: the kernel's cleanup of its
    /// sockets goes on meanwhile).
    pub fn kill(&mut self) {
        drop(self.stdin.take());
        let _ = self.child().kill();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
        // Closing 10 000 sockets takes the kernel a few hundred milliseconds:
        // reap the process off the test's path.
        if let Some(mut child) = self.child.take() {
            thread::spawn(move || child.wait());
        }
    }
}
