use std::sync::{Mutex, MutexGuard, PoisonError};

/// Runs tests that use the real clock one at a time: hold the guard for the
/// whole test. A plain mutex wakes the next test at once; `serial_test`'s
/// lock was measured to sometimes sleep a full second between tests when
/// the machine is loaded (a missed wake-up with a 1 s timed wait).
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    // A failed test poisons the lock; the next test may still run.
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}
