//! Forced preemption for race tests: a thread stopped at arbitrary points.
//!
//! A race needs a thread to be interrupted at the wrong moment: between a
//! `load` and its `store`, between checking a balance and withdrawing it,
//! between taking one lock and the next. When threads run freely such
//! moments are rare, and rarer still on a busy machine: Linux's scheduler
//! lets a running thread finish its time slice (a millisecond or more) even
//! when another thread wakes up, so a thread is switched out only now and
//! then, wherever it happens to be. A stress test that waits for luck is
//! flaky.
//!
//! [`preempt_often`] makes the wrong moment common. While its guard lives,
//! a timer interrupts the calling thread every few tens of microseconds,
//! at whatever instruction it is running, and the signal handler sleeps a
//! few tens of microseconds there. The thread stops in the middle of a
//! read-modify-write, or while holding a lock, and the other threads run
//! meanwhile, on one core as on many. The timer is the kernel's, so the
//! interruptions come on time however busy the machine is.
//!
//! Linux only (a per-thread POSIX timer sending `SIGURG`); elsewhere the
//! guard does nothing.

use std::marker::PhantomData;
use std::time::Duration;

/// While this guard lives, its thread is interrupted often, at arbitrary
/// points. Made by [`preempt_often`]; it stays on the thread that made it.
pub struct Preempted {
    /// `!Send`: the timer targets the thread that made the guard.
    _here: PhantomData<*const ()>,
}

/// Interrupts the calling thread every 20 to 80 µs, wherever it is in its
/// code, for 20 to 60 µs each time, until the guard is dropped or `limit`
/// of real time has passed (pass the test's watchdog limit: a thread that
/// hangs is not interrupted forever).
///
/// Call it at the start of each thread of a stress test, before the code
/// under test (one guard per thread at a time):
///
/// ```ignore
/// scope.spawn(|| {
///     let _preempted = grading::preempt_often(WATCHDOG);
///     for _ in 0..10_000 { counter.increment(); }
/// });
/// ```
pub fn preempt_often(limit: Duration) -> Preempted {
    imp::start(limit);
    Preempted { _here: PhantomData }
}

impl Drop for Preempted {
    fn drop(&mut self) {
        imp::stop();
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::cell::Cell;
    use std::ptr;
    use std::sync::OnceLock;
    use std::time::Duration;

    /// The signal the timer sends. Its default action is to ignore it, so a
    /// stray one can do no harm.
    const SIGNAL: libc::c_int = libc::SIGURG;
    /// Time between two interruptions: `GAP_MIN` plus up to `GAP_SPREAD`.
    const GAP_MIN: u64 = 20_000;
    const GAP_SPREAD: u64 = 60_000;
    /// Length of one interruption: `PAUSE_MIN` plus up to `PAUSE_SPREAD`.
    const PAUSE_MIN: u64 = 20_000;
    const PAUSE_SPREAD: u64 = 40_000;

    thread_local! {
        // Read by the signal handler: plain `Cell`s with constant
        // initializers and no destructor, so reading them is a plain load.
        /// This thread's timer, or null when it is not being interrupted.
        static TIMER: Cell<libc::timer_t> = const { Cell::new(ptr::null_mut()) };
        /// When to stop (nanoseconds on the monotonic clock).
        static UNTIL: Cell<u64> = const { Cell::new(0) };
        /// The thread's timer slack before the guard, restored after it.
        static SLACK: Cell<libc::c_int> = const { Cell::new(-1) };
    }

    fn now() -> u64 {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `clock_gettime` is async-signal-safe and writes into `t`.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
        t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
    }

    /// A number that differs from call to call (mixed from the clock).
    fn jitter(x: u64, spread: u64) -> u64 {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % spread
    }

    fn timespec(nanos: u64) -> libc::timespec {
        libc::timespec {
            tv_sec: (nanos / 1_000_000_000) as libc::time_t,
            tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
        }
    }

    /// Arms `timer` to fire once, a random gap from now.
    fn arm(timer: libc::timer_t, now: u64) {
        let when = libc::itimerspec {
            it_interval: timespec(0),
            it_value: timespec(GAP_MIN + jitter(now, GAP_SPREAD)),
        };
        // SAFETY: `timer_settime` is async-signal-safe; `timer` is live.
        unsafe { libc::timer_settime(timer, 0, &when, ptr::null_mut()) };
    }

    extern "C" fn on_signal(_: libc::c_int) {
        let timer = TIMER.with(Cell::get);
        if timer.is_null() {
            return;
        }
        // Keep errno as the interrupted code left it.
        // SAFETY: `__errno_location` returns this thread's errno.
        let errno = unsafe { *libc::__errno_location() };
        let start = now();
        if start < UNTIL.with(Cell::get) {
            let pause = timespec(PAUSE_MIN + jitter(start ^ 0x5555, PAUSE_SPREAD));
            // SAFETY: `nanosleep` is async-signal-safe.
            unsafe { libc::nanosleep(&pause, ptr::null_mut()) };
            arm(timer, now());
        }
        // SAFETY: as above.
        unsafe { *libc::__errno_location() = errno };
    }

    /// Installs the handler once; `false` if that failed.
    fn install() -> bool {
        static INSTALLED: OnceLock<bool> = OnceLock::new();
        *INSTALLED.get_or_init(|| {
            // SAFETY: a zeroed `sigaction` is a valid start; without
            // `SA_SIGINFO` the handler is an `extern "C" fn(c_int)`.
            // `SA_RESTART` resumes the system calls it interrupts.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(SIGNAL, &action, ptr::null_mut()) == 0
            }
        })
    }

    pub fn start(limit: Duration) {
        if !TIMER.with(Cell::get).is_null() || !install() {
            return;
        }
        // SAFETY: a zeroed `sigevent` is valid; the fields set make the
        // timer signal this very thread (`SIGEV_THREAD_ID`).
        let timer = unsafe {
            let mut event: libc::sigevent = std::mem::zeroed();
            event.sigev_notify = libc::SIGEV_THREAD_ID;
            event.sigev_signo = SIGNAL;
            event.sigev_notify_thread_id = libc::gettid();
            let mut timer: libc::timer_t = ptr::null_mut();
            if libc::timer_create(libc::CLOCK_MONOTONIC, &mut event, &mut timer) != 0 {
                return;
            }
            timer
        };
        // Short sleeps, in the handler, that end on time: the default slack
        // lets them overrun by up to 50 µs.
        // SAFETY: these `prctl` calls only read and set this thread's slack.
        let slack = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK) };
        SLACK.with(|s| s.set(slack));
        unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
        let start = now();
        UNTIL.with(|u| u.set(start.saturating_add(limit.as_nanos() as u64)));
        TIMER.with(|t| t.set(timer));
        arm(timer, start);
    }

    pub fn stop() {
        let timer = TIMER.with(Cell::get);
        if timer.is_null() {
            return;
        }
        // From here on the handler neither pauses nor re-arms.
        TIMER.with(|t| t.set(ptr::null_mut()));
        // SAFETY: `timer` was made by `timer_create` and is deleted once.
        unsafe { libc::timer_delete(timer) };
        let slack = SLACK.with(Cell::get);
        if slack > 0 {
            // SAFETY: restores this thread's own timer slack.
            unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, slack as libc::c_ulong) };
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::time::Duration;

    pub fn start(_: Duration) {}

    pub fn stop() {}
}
