//! The one rule for running graded suites, shared by the student's check,
//! the proof and the soak: suites run on a pool of threads, a few at once
//! where that cannot change a verdict; exclusive ones (real clock, e.g.
//! HTTP) run alone, one after another, once the pool is done.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::thread;

use anyhow::Result;

/// Suites waiting to run. Items may arrive while workers already run (the
/// proof queues each candidate as soon as its build is done).
pub struct Schedule<T> {
    state: Mutex<State<T>>,
    wake: Condvar,
}

struct State<T> {
    waiting: VecDeque<T>,
    exclusive: Vec<T>,
    /// No more will come.
    closed: bool,
}

impl<T: Send> Default for Schedule<T> {
    fn default() -> Self {
        Schedule {
            state: Mutex::new(State {
                waiting: VecDeque::new(),
                exclusive: Vec::new(),
                closed: false,
            }),
            wake: Condvar::new(),
        }
    }
}

impl<T: Send> Schedule<T> {
    pub fn new() -> Schedule<T> {
        Schedule::default()
    }

    /// Queues `item`; an exclusive one waits until the pool is done.
    pub fn push(&self, item: T, exclusive: bool) {
        let mut state = self.state.lock().expect("no panic while held");
        if exclusive {
            state.exclusive.push(item);
        } else {
            state.waiting.push_back(item);
            self.wake.notify_one();
        }
    }

    /// How many items wait (exclusive ones included).
    pub fn len(&self) -> usize {
        let state = self.state.lock().expect("no panic while held");
        state.waiting.len() + state.exclusive.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// No more items will come: workers return once the queue is empty.
    pub fn close(&self) {
        self.state.lock().expect("no panic while held").closed = true;
        self.wake.notify_all();
    }

    /// Closes the queue and drops what waits (a build failed: stop).
    pub fn abandon(&self) {
        let mut state = self.state.lock().expect("no panic while held");
        state.waiting.clear();
        state.exclusive.clear();
        state.closed = true;
        self.wake.notify_all();
    }

    /// One worker of the pool: runs waiting items until the queue is closed
    /// and empty, or an item fails.
    pub fn work(&self, run: &(dyn Fn(T) -> Result<()> + Sync)) -> Result<()> {
        loop {
            let next = {
                let mut state = self.state.lock().expect("no panic while held");
                loop {
                    if let Some(item) = state.waiting.pop_front() {
                        break Some(item);
                    }
                    if state.closed {
                        break None;
                    }
                    state = self.wake.wait(state).expect("no panic while held");
                }
            };
            match next {
                Some(item) => run(item)?,
                None => return Ok(()),
            }
        }
    }

    /// The exclusive items, alone, in the order they came. Call once every
    /// worker has returned.
    pub fn run_exclusive(&self, run: &(dyn Fn(T) -> Result<()> + Sync)) -> Result<()> {
        let items = std::mem::take(&mut self.state.lock().expect("no panic while held").exclusive);
        for item in items {
            run(item)?;
        }
        Ok(())
    }
}

/// Waits for the pool's workers; the first error wins.
pub fn join_all<'scope>(workers: Vec<thread::ScopedJoinHandle<'scope, Result<()>>>) -> Result<()> {
    let mut outcome = Ok(());
    for w in workers {
        if let Err(e) = w.join().expect("a worker thread panicked") {
            outcome = outcome.and(Err(e));
        }
    }
    outcome
}

/// Runs `items` (each with whether it is exclusive): the shared ones on
/// `jobs` threads, then the exclusive ones alone.
pub fn run_all<T: Send>(
    items: impl IntoIterator<Item = (T, bool)>,
    jobs: usize,
    run: &(dyn Fn(T) -> Result<()> + Sync),
) -> Result<()> {
    let schedule = Schedule::new();
    for (item, exclusive) in items {
        schedule.push(item, exclusive);
    }
    schedule.close();
    thread::scope(|s| {
        join_all(
            (0..jobs.max(1))
                .map(|_| s.spawn(|| schedule.work(run)))
                .collect(),
        )
    })?;
    schedule.run_exclusive(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Barrier;
    use std::time::Duration;

    #[test]
    fn exclusive_items_run_alone_after_the_pool() {
        // The three shared items meet at a barrier: they can only pass it
        // side by side, one on each of the three workers.
        let together = Barrier::new(3);
        let running = AtomicUsize::new(0);
        let log = Mutex::new(Vec::new());
        let run = |(name, exclusive): (&'static str, bool)| -> Result<()> {
            let others = running.fetch_add(1, Ordering::SeqCst);
            if !exclusive {
                together.wait();
            }
            log.lock().unwrap().push((name, exclusive, others));
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        };
        let items = [
            ("a", false),
            ("x", true),
            ("b", false),
            ("y", true),
            ("c", false),
        ];
        run_all(items.iter().map(|&(n, e)| ((n, e), e)), 3, &run).unwrap();
        let log = log.into_inner().unwrap();
        assert_eq!(log.len(), 5);
        assert!(log[..3].iter().all(|(_, exclusive, _)| !exclusive));
        // Then the exclusive ones, in order, each alone.
        assert_eq!(
            log[3..]
                .iter()
                .map(|(n, _, o)| (*n, *o))
                .collect::<Vec<_>>(),
            [("x", 0), ("y", 0)]
        );
    }

    #[test]
    fn items_may_arrive_while_workers_wait() {
        let schedule = Schedule::new();
        let done = AtomicUsize::new(0);
        let run = |_: usize| -> Result<()> {
            done.fetch_add(1, Ordering::SeqCst);
            Ok(())
        };
        thread::scope(|s| {
            let worker = s.spawn(|| schedule.work(&run));
            for i in 0..5 {
                schedule.push(i, false);
                thread::sleep(Duration::from_millis(5));
            }
            schedule.close();
            worker.join().unwrap().unwrap();
        });
        assert_eq!(done.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn an_abandoned_schedule_runs_nothing_more() {
        let schedule = Schedule::new();
        schedule.push(1, false);
        schedule.push(2, true);
        schedule.abandon();
        let ran = AtomicUsize::new(0);
        let run = |_: i32| -> Result<()> {
            ran.fetch_add(1, Ordering::SeqCst);
            Ok(())
        };
        schedule.work(&run).unwrap();
        schedule.run_exclusive(&run).unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 0);
    }
}
