//! Ctrl-C. Suites run in process groups of their own (so that a hung suite
//! and everything it started can be killed together), which also means the
//! terminal's Ctrl-C does not reach them. So the checker catches Ctrl-C,
//! and every loop that waits for a child process watches this flag: it
//! kills the child's whole group and returns [`Cancelled`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

static CANCELLED: AtomicBool = AtomicBool::new(false);

/// The error of work stopped by Ctrl-C.
#[derive(Debug)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled (Ctrl-C)")
    }
}

impl std::error::Error for Cancelled {}

/// Catches Ctrl-C from now on (once per process; later calls do nothing).
pub fn catch_ctrl_c() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // If a handler cannot be installed, Ctrl-C keeps its default effect;
        // the suites' process groups then end at their time limit.
        let _ = ctrlc::set_handler(|| CANCELLED.store(true, Ordering::SeqCst));
    });
}

/// Whether Ctrl-C was pressed.
pub fn cancelled() -> bool {
    CANCELLED.load(Ordering::SeqCst)
}
