//! Proving that work ran at the same time, without trusting the clock.
//!
//! A speed-up or a CPU-time ratio is noisy on a busy machine; a rendezvous is
//! not. Each call into the instrumented code *enters* the rendezvous and waits
//! there until `target` calls are inside at once. A correct solution gets them
//! all there, in microseconds. A solution that runs one call at a time never
//! does, so the rendezvous waits for its *patience* and then gives up: it
//! notes how many calls were inside ([`Miss`]) and from then on lets every
//! call through at once, so a wrong solution costs one patience per test,
//! not one per call, and its test fails with what the rendezvous saw.
//!
//! [`Patience`] is the same once-per-test waiting, for the other waits a
//! probe imposes (e.g. "hold this call until the others have finished").

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Waits on a condition variable for at most its limit, and only once: after
/// the first wait that runs out, no wait through this `Patience` blocks again.
#[derive(Debug)]
pub struct Patience {
    limit: Duration,
    gave_up: AtomicBool,
}

impl Patience {
    pub fn new(limit: Duration) -> Patience {
        Patience {
            limit,
            gave_up: AtomicBool::new(false),
        }
    }

    /// Whether a wait ran out already.
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }

    /// Waits on `wake` while `blocked` holds, at most the limit. Returns the
    /// guard and `true` when *this* wait ran out (the condition still held);
    /// every other waiter is then woken and stops waiting for good.
    pub fn wait_while<'a, T>(
        &self,
        wake: &Condvar,
        guard: MutexGuard<'a, T>,
        mut blocked: impl FnMut(&mut T) -> bool,
    ) -> (MutexGuard<'a, T>, bool) {
        let mut guard = guard;
        if self.gave_up() || !blocked(&mut guard) {
            return (guard, false);
        }
        let (mut guard, _) = wake
            .wait_timeout_while(guard, self.limit, |s| !self.gave_up() && blocked(s))
            .unwrap_or_else(PoisonError::into_inner);
        if self.gave_up() || !blocked(&mut guard) {
            return (guard, false);
        }
        self.gave_up.store(true, Ordering::SeqCst);
        wake.notify_all();
        (guard, true)
    }
}

/// What a rendezvous saw when its patience ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Miss {
    /// Calls inside the rendezvous at that moment.
    pub inside: usize,
    /// Calls that had entered it so far, in all.
    pub entered: usize,
    /// Calls it was waiting for.
    pub target: usize,
}

#[derive(Debug, Default)]
struct State {
    inside: usize,
    peak: usize,
    entered: usize,
    /// Bumped each time `target` calls are inside: a waiter is released when
    /// the generation it saw has passed, even if some have left since.
    generation: u64,
    miss: Option<Miss>,
}

/// Waits until `target` calls are inside at the same time (see the module
/// documentation). Share it between the instrumented calls (`Arc`, or a
/// reference from a scoped thread).
#[derive(Debug)]
pub struct Rendezvous {
    target: usize,
    /// When this many calls have entered in all, no more will come: release
    /// everyone even if fewer than `target` are inside.
    expected: Option<usize>,
    patience: Patience,
    state: Mutex<State>,
    wake: Condvar,
}

/// A call inside a [`Rendezvous`]; leaving (dropping it) counts the call out.
#[must_use = "the call counts as inside the rendezvous until this is dropped"]
pub struct Inside<'a> {
    rendezvous: &'a Rendezvous,
}

impl Rendezvous {
    /// Waits for `target` calls at once, giving up after `patience` (once).
    pub fn new(target: usize, patience: Duration) -> Rendezvous {
        Rendezvous {
            target: target.max(1),
            expected: None,
            patience: Patience::new(patience),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        }
    }

    /// Also releases everyone once `total` calls have entered in all (the
    /// last few calls of a job list can never be `target` at once).
    pub fn expecting(mut self, total: usize) -> Rendezvous {
        self.expected = Some(total);
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enters: counts the call in, then waits until `target` calls are
    /// inside at once, every expected call has entered, or the patience ran
    /// out (now or before).
    pub fn enter(&self) -> Inside<'_> {
        let mut s = self.lock();
        s.inside += 1;
        s.entered += 1;
        s.peak = s.peak.max(s.inside);
        let everyone = self.expected.is_some_and(|total| s.entered >= total);
        if s.inside >= self.target || everyone {
            s.generation += 1;
            self.wake.notify_all();
        } else {
            let seen = s.generation;
            let (mut s, missed) = self
                .patience
                .wait_while(&self.wake, s, |s| s.generation == seen);
            if missed {
                s.miss = Some(Miss {
                    inside: s.inside,
                    entered: s.entered,
                    target: self.target,
                });
            }
        }
        Inside { rendezvous: self }
    }

    /// Most calls seen inside at once.
    pub fn peak(&self) -> usize {
        self.lock().peak
    }

    /// Calls that entered, in all.
    pub fn entered(&self) -> usize {
        self.lock().entered
    }

    /// What the rendezvous saw when it gave up, if it did.
    pub fn miss(&self) -> Option<Miss> {
        self.lock().miss
    }

    /// Lets every waiting and future call through without waiting (e.g. the
    /// test has seen enough, or is about to fail for another reason).
    pub fn open(&self) {
        let _s = self.lock();
        self.patience.gave_up.store(true, Ordering::SeqCst);
        self.wake.notify_all();
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        let mut s = self.rendezvous.lock();
        s.inside -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn calls_that_run_together_meet_at_once() {
        let rv = Rendezvous::new(4, Duration::from_secs(5));
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| drop(rv.enter()));
            }
        });
        assert!(start.elapsed() < Duration::from_secs(4));
        assert_eq!((rv.peak(), rv.miss()), (4, None));
    }

    #[test]
    fn calls_one_at_a_time_cost_one_patience_in_all() {
        let rv = Rendezvous::new(3, Duration::from_millis(100));
        let start = Instant::now();
        for _ in 0..5 {
            drop(rv.enter());
        }
        assert!(start.elapsed() < Duration::from_millis(400));
        let miss = rv.miss().expect("the rendezvous gave up");
        assert_eq!((miss.inside, miss.entered, miss.target), (1, 1, 3));
        assert_eq!(rv.peak(), 1);
    }

    #[test]
    fn the_last_expected_call_releases_the_others() {
        let rv = Rendezvous::new(4, Duration::from_secs(5)).expecting(2);
        std::thread::scope(|s| {
            s.spawn(|| drop(rv.enter()));
            s.spawn(|| drop(rv.enter()));
        });
        assert_eq!(rv.miss(), None);
    }
}
