//! The properties most async exercises check, one call each, with the
//! diagnosis, its cause and the picture included.
//!
//! A grader hands the student's code futures wrapped by [`Track::wrap`]; the
//! wrapper notes, on tokio's clock, when each one was first polled (started)
//! and when it finished or was dropped unfinished (cancelled). Those are
//! measured events, so the picture [`Track::timeline`] draws is what ran,
//! and a future still alive when the grader looks is drawn as "not seen to
//! end", never as busy. The checks then read the record:
//!
//! | call | fails when | cause asserted |
//! |---|---|---|
//! | [`Track::overlapped`] | not every job was running at one moment | `sequential` when they all ran, one at a time; `under-used` when a job was started as another ended while others ran (a window); candidates `under-used`, `batches` otherwise when several ran at once |
//! | [`Track::at_most`] | more than `k` ran at once | `unbounded` |
//! | [`Track::none_left_running`] | a job was neither finished nor dropped | `not-cancelled` |
//! | [`Track::all_done_by`] | the code returned after the deadline | candidates only, from how the jobs ended (see the method) |
//! | [`in_input_order`] | the results are right but in another order | `wrong-order` (none when the results differ) |
//!
//! Each returns `Result<(), Diagnosis>`: `?` it in a helper, or
//! `.or_fail()` it in the test (see [`crate::OrFail`]); the diagnosis
//! carries the observed picture above `expected`. Call the checks on the
//! test's own thread (return the `Track` from the runtime): the cause and
//! the picture are filed under the thread's test.
//!
//! Where the code under test asks the grader for its futures in an order of
//! its own (it calls the grader's `job(i)`), make the lanes first with
//! [`Track::with_lanes`] and wrap with [`Track::wrap_lane`]. [`Track::runs`]
//! hands a suite the record for checks of its own, and [`Track::mark`] draws
//! the moments the grader measured itself (a result out, the call's return).

use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use grading_protocol::{Cause, Clock, Timeline};
use tokio::time::Instant;

use crate::{fmt_duration_exact, preview, Diagnosis};

/// Records when the futures it wraps ran (see the module documentation).
/// Make it inside the test's runtime: its clock starts there.
#[derive(Clone)]
pub struct Track {
    origin: Instant,
    clock: Clock,
    jobs: Arc<Mutex<Vec<Job>>>,
    /// When the grader looked (see [`Track::look`]): the time, and the
    /// number of events before it (the paused clock can give a job's end and
    /// the look the same time; the order tells them apart).
    looked: Arc<Mutex<Option<(Duration, u64)>>>,
    events: Arc<std::sync::atomic::AtomicU64>,
    /// Moments the grader measured itself (see [`Track::mark`]).
    marks: Arc<Mutex<Vec<(String, Duration)>>>,
}

#[derive(Debug, Clone)]
struct Job {
    label: String,
    started: Option<Duration>,
    ended: Option<Duration>,
    /// The event number of the end (see `Track::looked`).
    ended_event: u64,
    finished: bool,
    /// It ended by panicking (its poll unwound).
    panicked: bool,
    /// A future was wrapped for it (a lane made by [`Track::with_lanes`]
    /// may never get one).
    wrapped: bool,
}

impl Job {
    fn new(label: &str, wrapped: bool) -> Job {
        Job {
            label: label.to_string(),
            started: None,
            ended: None,
            ended_event: 0,
            finished: false,
            panicked: false,
            wrapped,
        }
    }
}

/// One wrapped future as the track saw it (see [`Track::runs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The label given to [`Track::wrap`].
    pub label: String,
    /// When it was first polled; `None`: never.
    pub started: Option<Duration>,
    /// When it finished or was dropped after starting; `None`: not seen.
    pub ended: Option<Duration>,
    /// Whether it ran to its end (rather than being dropped unfinished).
    pub finished: bool,
    /// Whether it ended by panicking (not finished, not dropped by the code).
    pub panicked: bool,
}

/// Notes the end of a job when its future goes away, finished or not.
struct EndGuard {
    track: Track,
    index: usize,
    finished: bool,
}

impl Drop for EndGuard {
    fn drop(&mut self) {
        let now = self.track.now();
        let event = self.track.next_event();
        let mut jobs = self.track.lock();
        let job = &mut jobs[self.index];
        job.finished = self.finished;
        // Dropped while unwinding from its own poll: the future panicked.
        job.panicked = !self.finished && std::thread::panicking();
        if job.started.is_some() {
            job.ended = Some(now);
            job.ended_event = event;
        }
    }
}

impl Track {
    /// A record on `clock` (`Clock::Virtual` under tokio's paused clock).
    pub fn new(clock: Clock) -> Track {
        Track {
            origin: Instant::now(),
            clock,
            jobs: Arc::default(),
            looked: Arc::default(),
            events: Arc::default(),
            marks: Arc::default(),
        }
    }

    fn next_event(&self) -> u64 {
        self.events
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    /// Notes this moment as the one the checks judge: call it inside the
    /// runtime right after the student's function returned. A job "still
    /// running" is one running then (a runtime's shutdown drops leftover
    /// tasks later), and a job not seen to end is drawn up to then. Without
    /// it, the last event recorded stands in.
    pub fn look(&self) {
        let look = (self.now(), self.next_event());
        *self.looked.lock().unwrap_or_else(PoisonError::into_inner) = Some(look);
    }

    fn looked_at(&self) -> Option<(Duration, u64)> {
        *self.looked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> Duration {
        Instant::now() - self.origin
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Job>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A record whose lanes are `labels`, in that order, before anything
    /// runs: for futures the code under test asks for in an order of its
    /// own (the grader's `job(i)` called by the student), each wrapped with
    /// [`Track::wrap_lane`] so that lane `i` is job `i` whatever the order.
    pub fn with_lanes(clock: Clock, labels: impl IntoIterator<Item = String>) -> Track {
        let track = Track::new(clock);
        track
            .lock()
            .extend(labels.into_iter().map(|l| Job::new(&l, false)));
        track
    }

    /// `fut`, noting when it is first polled and when it finishes or is
    /// dropped. Lanes of the picture are in the order of the `wrap` calls.
    pub fn wrap<F: Future>(&self, label: &str, fut: F) -> impl Future<Output = F::Output> {
        let index = {
            let mut jobs = self.lock();
            jobs.push(Job::new(label, true));
            jobs.len() - 1
        };
        self.wrap_at(index, fut)
    }

    /// [`Track::wrap`] for lane `lane` of [`Track::with_lanes`]. Wrap each
    /// lane once (a second future would overwrite the first's record).
    ///
    /// # Panics
    /// When there is no such lane.
    pub fn wrap_lane<F: Future>(&self, lane: usize, fut: F) -> impl Future<Output = F::Output> {
        self.lock()[lane].wrapped = true;
        self.wrap_at(lane, fut)
    }

    fn wrap_at<F: Future>(&self, index: usize, fut: F) -> impl Future<Output = F::Output> {
        let guard = EndGuard {
            track: self.clone(),
            index,
            finished: false,
        };
        async move {
            // Moved in whole: an edition-2021 async block would otherwise
            // capture only the fields it uses, and drop the guard at once.
            let mut guard = guard;
            let now = guard.track.now();
            guard.track.lock()[guard.index].started = Some(now);
            let output = fut.await;
            guard.finished = true;
            output
        }
    }

    /// Draws `label` at `at` (on the track's clock) in every picture of
    /// what the code did: a moment the grader measured, such as when a
    /// result came out.
    pub fn mark(&self, label: &str, at: Duration) {
        self.marks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((label.to_string(), at));
    }

    /// What ran when, one lane per wrapped future, with the grader's marks;
    /// a future that started and is still alive now is drawn as not seen to
    /// end.
    pub fn timeline(&self, title: &str) -> Timeline {
        let jobs = self.lock().clone();
        let last_event = jobs
            .iter()
            .flat_map(|j| j.started.into_iter().chain(j.ended));
        let looked = self.looked_at().map(|(at, _)| at);
        let until = looked
            .into_iter()
            .chain(last_event)
            .max()
            .unwrap_or_default();
        let lanes = jobs
            .iter()
            .fold(Timeline::new(title, self.clock), |t, job| {
                let spans: Vec<(Duration, Option<Duration>)> =
                    job.started.map(|s| (s, job.ended)).into_iter().collect();
                t.lane_partly_seen(&job.label, &spans, until)
            });
        let marks = self.marks.lock().unwrap_or_else(PoisonError::into_inner);
        marks
            .iter()
            .fold(lanes, |t, (label, at)| t.mark(label, *at))
    }

    /// Every wrapped future so far, in the order of the `wrap` calls: the
    /// record for checks of a suite's own.
    pub fn runs(&self) -> Vec<Run> {
        self.lock()
            .iter()
            .map(|j| Run {
                label: j.label.clone(),
                started: j.started,
                ended: j.ended,
                finished: j.finished,
                panicked: j.panicked,
            })
            .collect()
    }

    /// When the grader looked ([`Track::look`]), if it did.
    pub fn looked(&self) -> Option<Duration> {
        self.looked_at().map(|(at, _)| at)
    }

    /// How late a moment may be and still count as on time: tokio's paused
    /// clock is exact to its 1 ms timer resolution; on the real clock a
    /// loaded 2-core machine adds scheduling delays of a tenth of a second
    /// and more, so real-clock deadlines should be far apart from any
    /// mistake's lateness.
    fn slack(&self) -> Duration {
        match self.clock {
            Clock::Virtual => Duration::from_millis(5),
            Clock::Real => Duration::from_millis(250),
        }
    }

    /// How many jobs were dropped before they finished (never polled included).
    pub fn cancelled(&self) -> usize {
        self.lock()
            .iter()
            .filter(|j| j.wrapped && !j.finished && !j.panicked)
            .filter(|j| j.ended.is_some() || j.started.is_none())
            .count()
    }

    /// The jobs that started and had neither finished nor been dropped when
    /// the grader looked (or by now, if it did not).
    pub fn running(&self) -> Vec<String> {
        let looked = self.looked_at();
        self.lock()
            .iter()
            .filter(|j| {
                j.started.is_some()
                    && match (j.ended, looked) {
                        (None, _) => true,
                        (Some(_), Some((_, looked))) => j.ended_event > looked,
                        (Some(_), None) => false,
                    }
            })
            .map(|j| j.label.clone())
            .collect()
    }

    /// The jobs were all running at one moment. With `expected`, the picture
    /// of what a correct solution does.
    pub fn overlapped(&self, expected: &Timeline) -> Result<(), Diagnosis> {
        let seen = self.timeline("what your code did");
        let (n, peak) = (seen.lanes.len(), seen.peak());
        if peak >= n {
            return Ok(());
        }
        let runs = self.runs();
        // Not all at once: some job started no earlier than the first end
        // (else all were running when the last one started), or never
        // started. The first such job, in the order given, is named.
        let first_end = runs.iter().filter_map(|r| Some((r.ended?, &r.label))).min();
        let late = runs.iter().find(|r| match (r.started, first_end) {
            (None, _) => true,
            (Some(s), Some((end, _))) => s >= end,
            (Some(_), None) => false,
        });
        let why = match (late, first_end) {
            (
                Some(Run {
                    label,
                    started: None,
                    ..
                }),
                _,
            ) => format!(" {label} never started."),
            (
                Some(Run {
                    label,
                    started: Some(s),
                    ..
                }),
                Some((end, first)),
            ) => format!(
                " {label} started only at {}, not before {first} ended ({}).",
                fmt_duration_exact(*s),
                fmt_duration_exact(end)
            ),
            _ => String::new(),
        };
        let all_started = runs.iter().all(|r| r.started.is_some());
        let d = if peak == 1 && n > 1 && all_started {
            Diagnosis::new(format!(
                "The {n} jobs ran one at a time, never two at once:{why} They should all run at \
                 once."
            ))
            .cause(Cause::Sequential)
        } else {
            let d = Diagnosis::new(format!(
                "{n} jobs were given, but at most {peak} ran at once:{why} They should all run \
                 at once."
            ));
            // Several at once but not all: a limit narrower than the work
            // (a window) or fixed groups (batches). A job started after
            // an end while an earlier one still ran is a window refilled, which
            // batches never do; without one (equal jobs look alike either
            // way), both stay candidates.
            let refilled = runs.iter().any(|late| {
                let (Some(s), Some((end, _))) = (late.started, first_end) else {
                    return false;
                };
                s >= end
                    && runs.iter().any(|r| {
                        r.started.is_some_and(|rs| rs < s) && r.ended.is_none_or(|re| re > s)
                    })
            });
            match (peak > 1 && all_started, refilled) {
                (true, true) => d.cause(Cause::UnderUsed),
                (true, false) => d.candidates([Cause::UnderUsed, Cause::Batches]),
                (false, _) => d,
            }
        };
        Err(d.picture(seen, expected.clone()).advice(
            "start every job before awaiting any, e.g. with `futures::future::join_all` or a \
             `FuturesUnordered` of all of them",
        ))
    }

    /// At most `k` jobs ran at once.
    pub fn at_most(&self, k: usize, expected: &Timeline) -> Result<(), Diagnosis> {
        let seen = self.timeline("what your code did");
        let peak = seen.peak();
        if peak <= k {
            return Ok(());
        }
        Err(Diagnosis::new(format!(
            "{peak} jobs ran at the same time, but at most {k} may."
        ))
        .picture(seen, expected.clone())
        .cause(Cause::Unbounded)
        .advice(format!(
            "let at most {k} run at once, e.g. with a `tokio::sync::Semaphore` of {k} permits \
             or `StreamExt::buffer_unordered({k})`"
        )))
    }

    /// The code returned by `deadline` (counted from the track's creation;
    /// the moment of [`Track::look`], else the last event seen). A failure
    /// says which jobs ran past the deadline and how they ended; it lists
    /// causes only as candidates, since the record shows that a job was not
    /// stopped in time, not why:
    /// - the code ran the jobs one at a time: `sequential` first;
    /// - a job ran to its end past the deadline: `no-timeout`, `deadline-per-op`;
    /// - a job was dropped, but only after the deadline: `deadline-per-op`
    ///   (a limit there was, counted from later than the deadline's start);
    /// - every job was over by the deadline: none (the code waited for
    ///   something else).
    pub fn all_done_by(&self, deadline: Duration, expected: &Timeline) -> Result<(), Diagnosis> {
        let returned = self.looked().unwrap_or_else(|| self.timeline("").end());
        if returned <= deadline + self.slack() {
            return Ok(());
        }
        let runs = self.runs();
        let past = |t: &Option<Duration>| t.is_some_and(|t| t > deadline + self.slack());
        let ran_on: Vec<&Run> = runs
            .iter()
            .filter(|r| r.finished && past(&r.ended))
            .collect();
        let cut_late: Vec<&Run> = runs
            .iter()
            .filter(|r| !r.finished && past(&r.ended))
            .collect();
        let seen = self.timeline("what your code did");
        let one_at_a_time = runs.len() > 1
            && runs.iter().all(|r| r.started.is_some())
            && !seen.has_unseen_ends()
            && seen.peak() <= 1;
        let show = |runs: &[&Run], how: &str| -> String {
            let each: Vec<String> = runs
                .iter()
                .take(3)
                .map(|r| {
                    format!(
                        "{} at {}",
                        r.label,
                        fmt_duration_exact(r.ended.unwrap_or_default())
                    )
                })
                .collect();
            let more = if runs.len() > 3 {
                format!(" and {} more", runs.len() - 3)
            } else {
                String::new()
            };
            format!(
                " {} {how}: {}{more}.",
                crate::count_of(runs.len(), "job", "jobs"),
                each.join(", ")
            )
        };
        let mut observed = format!(
            "your code returned at {}, past the deadline of {}.",
            fmt_duration_exact(returned),
            fmt_duration_exact(deadline)
        );
        if one_at_a_time {
            observed.push_str(" The jobs ran one at a time, never two at once.");
        }
        if !ran_on.is_empty() {
            observed.push_str(&show(
                &ran_on,
                "ran to the end past it, nothing cut them off",
            ));
        }
        if !cut_late.is_empty() {
            observed.push_str(&show(&cut_late, "were dropped, but only past it"));
        }
        let running = self.running();
        if !running.is_empty() {
            observed.push_str(&format!(
                " {} still running when it returned: {}.",
                crate::count_of(running.len(), "job was", "jobs were"),
                running.join(", ")
            ));
        }
        if ran_on.is_empty() && cut_late.is_empty() && running.is_empty() {
            observed.push_str(
                " Every job that ran had ended by the deadline: your code waited past it for \
                 something else.",
            );
        }
        let candidates: Vec<Cause> = [
            (one_at_a_time, Cause::Sequential),
            (!cut_late.is_empty(), Cause::DeadlinePerOp),
            (!ran_on.is_empty(), Cause::NoTimeout),
            (!ran_on.is_empty(), Cause::DeadlinePerOp),
        ]
        .into_iter()
        .filter(|&(holds, _)| holds)
        .fold(Vec::new(), |mut all, (_, c)| {
            if !all.contains(&c) {
                all.push(c);
            }
            all
        });
        let seen = seen.mark("deadline", deadline).mark("returned", returned);
        Err(Diagnosis::new(observed)
            .picture(seen, expected.clone())
            .candidates(candidates)
            .advice(
                "compute the deadline once (`let deadline = tokio::time::Instant::now() + \
                 limit;`), race every job against it with `tokio::time::timeout_at(deadline, \
                 job)`, and run them all at once",
            ))
    }

    /// Every job that started has finished or been dropped (cancelled).
    pub fn none_left_running(&self, expected: &Timeline) -> Result<(), Diagnosis> {
        let running = self.running();
        if running.is_empty() {
            return Ok(());
        }
        Err(Diagnosis::new(format!(
            "when your code returned, {} still running: {}.",
            crate::count_of(running.len(), "job was", "jobs were"),
            running.join(", ")
        ))
        .picture(self.timeline("what your code did"), expected.clone())
        .cause(Cause::NotCancelled)
        .advice("drop (or abort) the futures you no longer need before returning"))
    }
}

/// The results are the expected ones in the expected order; when they are
/// the same results in another order, the cause is `wrong-order`.
pub fn in_input_order<T: PartialEq + Debug>(got: &[T], want: &[T]) -> Result<(), Diagnosis> {
    if got == want {
        return Ok(());
    }
    let same_items = got.len() == want.len() && want.iter().all(|w| got.contains(w));
    let observed = format!("got {}, expected {}.", preview(got, 6), preview(want, 6));
    Err(if same_items {
        Diagnosis::new(format!(
            "{observed} The results are right, but not in input order."
        ))
        .cause(Cause::WrongOrder)
        .advice("keep each result at its input's position, e.g. `join_all` keeps the order")
    } else {
        Diagnosis::new(observed)
            .advice("give each input's own result, one per input, in input order")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
    }

    fn job(track: &Track, label: &str, secs: u64) -> impl Future<Output = ()> {
        track.wrap(label, tokio::time::sleep(Duration::from_secs(secs)))
    }

    #[test]
    fn jobs_at_once_overlap_and_one_after_another_is_sequential() {
        runtime().block_on(async {
            let expected = Timeline::new("correct", Clock::Virtual);
            let at_once = Track::new(Clock::Virtual);
            tokio::join!(job(&at_once, "a", 1), job(&at_once, "b", 2));
            assert!(at_once.overlapped(&expected).is_ok());
            assert!(at_once.at_most(1, &expected).is_err());
            let one_by_one = Track::new(Clock::Virtual);
            job(&one_by_one, "a", 1).await;
            job(&one_by_one, "b", 1).await;
            let d = one_by_one.overlapped(&expected).unwrap_err();
            assert_eq!(d.asserted_cause(), Some(Cause::Sequential));
            assert!(one_by_one.at_most(1, &expected).is_ok());
        });
    }

    #[test]
    fn a_job_dropped_is_cancelled_and_one_kept_alive_is_running() {
        runtime().block_on(async {
            let expected = Timeline::new("correct", Clock::Virtual);
            let track = Track::new(Clock::Virtual);
            let dropped = job(&track, "dropped", 5);
            let _ = tokio::time::timeout(Duration::from_secs(1), dropped).await;
            assert_eq!(track.cancelled(), 1);
            assert!(track.none_left_running(&expected).is_ok());
            let alive = tokio::spawn(job(&track, "alive", 5));
            tokio::time::sleep(Duration::from_secs(1)).await;
            track.look();
            alive.abort();
            let _ = alive.await;
            assert_eq!(track.running(), ["alive"], "running when the grader looked");
            let d = track.none_left_running(&expected).unwrap_err();
            assert_eq!(d.asserted_cause(), Some(Cause::NotCancelled));
            let t = track.timeline("t");
            assert!(t.lanes[0].spans[0].end_seen);
            assert_eq!(t.lanes[0].spans[0].end, Duration::from_secs(1));
            assert_eq!(
                t.lanes[1].spans[0].end,
                Duration::from_secs(2),
                "ended when aborted"
            );
            let kept = Track::new(Clock::Virtual);
            let _alive = tokio::spawn(job(&kept, "kept", 5));
            tokio::time::sleep(Duration::from_secs(1)).await;
            kept.look();
            kept.mark("looked", Duration::from_secs(1));
            let t = kept.timeline("t");
            assert_eq!(t.marks[0].label, "looked", "the grader's marks are drawn");
            assert!(!t.lanes[0].spans[0].end_seen, "not seen to end");
            assert_eq!(
                t.lanes[0].spans[0].end,
                Duration::from_secs(1),
                "drawn up to the look"
            );
        });
    }

    #[test]
    fn several_at_once_but_not_all_lists_candidates_and_names_the_late_job() {
        runtime().block_on(async {
            let expected = Timeline::new("correct", Clock::Virtual);
            let two_then_one = Track::new(Clock::Virtual);
            tokio::join!(job(&two_then_one, "a", 1), job(&two_then_one, "b", 1));
            job(&two_then_one, "c", 1).await;
            let d = two_then_one.overlapped(&expected).unwrap_err();
            assert_eq!(d.asserted_cause(), None);
            assert_eq!(d.listed_candidates(), [Cause::UnderUsed, Cause::Batches]);
            let window = Track::new(Clock::Virtual);
            let a = job(&window, "a", 1);
            let b = job(&window, "b", 3);
            let c = job(&window, "c", 1);
            tokio::join!(b, async {
                a.await;
                c.await;
            });
            let d = window.overlapped(&expected).unwrap_err();
            assert_eq!(
                d.asserted_cause(),
                Some(Cause::UnderUsed),
                "c refilled a's slot"
            );
            assert!(d.text().contains("at most 2 ran at once"), "{}", d.text());
            assert!(d
                .text()
                .contains("c started only at 1.0 s, not before a ended (1.0 s)"));
            let never = Track::new(Clock::Virtual);
            job(&never, "a", 1).await;
            let _unpolled = job(&never, "b", 1);
            let d = never.overlapped(&expected).unwrap_err();
            assert_eq!(d.asserted_cause(), None, "not sequential: b never ran");
            assert!(d.text().contains("b never started"));
        });
    }

    fn timed_out(track: &Track, label: &str, secs: u64, limit: u64) -> impl Future<Output = ()> {
        let job = job(track, label, secs);
        async move {
            let _ = tokio::time::timeout(Duration::from_secs(limit), job).await;
        }
    }

    #[test]
    fn done_by_the_deadline_holds_for_one_shared_deadline() {
        runtime().block_on(async {
            let expected = Timeline::new("correct", Clock::Virtual);
            let track = Track::new(Clock::Virtual);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
            let cut = |label, secs| tokio::time::timeout_at(deadline, job(&track, label, secs));
            let _ = tokio::join!(cut("a", 1), cut("b", 5));
            track.look();
            assert!(track.all_done_by(Duration::from_secs(2), &expected).is_ok());
        });
    }

    #[test]
    fn late_returns_list_only_the_causes_the_ends_point_to() {
        runtime().block_on(async {
            let expected = Timeline::new("correct", Clock::Virtual);
            let deadline = Duration::from_secs(2);
            let candidates = |track: &Track| {
                track.look();
                let d = track.all_done_by(deadline, &expected).unwrap_err();
                assert_eq!(d.asserted_cause(), None);
                (d.listed_candidates().to_vec(), d.text())
            };
            let no_limit = Track::new(Clock::Virtual);
            tokio::join!(job(&no_limit, "a", 1), job(&no_limit, "b", 5));
            let (causes, text) = candidates(&no_limit);
            assert_eq!(causes, [Cause::NoTimeout, Cause::DeadlinePerOp]);
            assert!(text.contains("1 job ran to the end past it"), "{text}");
            assert!(text.contains("b at 5.0 s"), "{text}");
            let limit_too_long = Track::new(Clock::Virtual);
            tokio::join!(
                timed_out(&limit_too_long, "a", 1, 3),
                timed_out(&limit_too_long, "b", 5, 3)
            );
            let (causes, text) = candidates(&limit_too_long);
            assert_eq!(causes, [Cause::DeadlinePerOp]);
            assert!(
                text.contains("were dropped, but only past it: b at 3.0 s"),
                "{text}"
            );
            let in_turn = Track::new(Clock::Virtual);
            timed_out(&in_turn, "a", 1, 2).await;
            timed_out(&in_turn, "b", 3, 2).await;
            let (causes, _) = candidates(&in_turn);
            assert_eq!(causes, [Cause::Sequential, Cause::DeadlinePerOp]);
            let waited_on = Track::new(Clock::Virtual);
            tokio::join!(job(&waited_on, "a", 1), job(&waited_on, "b", 1));
            tokio::time::sleep(Duration::from_secs(2)).await;
            let (causes, text) = candidates(&waited_on);
            assert!(causes.is_empty());
            assert!(text.contains("waited past it for something else"), "{text}");
        });
    }

    #[test]
    fn lanes_stay_in_input_order_and_a_panic_is_no_cancel() {
        runtime().block_on(async {
            let labels = ["job 0", "job 1"].map(String::from);
            let track = Track::with_lanes(Clock::Virtual, labels);
            let late = track.wrap_lane(1, tokio::time::sleep(Duration::from_secs(2)));
            let early = track.wrap_lane(0, async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                panic!("on purpose");
            });
            let (_, panicked) = tokio::join!(late, tokio::spawn(early));
            assert!(panicked.is_err());
            let runs = track.runs();
            assert_eq!(runs[0].label, "job 0");
            assert!(runs[0].panicked && !runs[0].finished);
            assert_eq!(runs[0].ended, Some(Duration::from_secs(1)));
            assert!(runs[1].finished);
            assert_eq!(track.cancelled(), 0);
            let t = track.timeline("t");
            assert_eq!(t.lanes[1].spans[0].end, Duration::from_secs(2));
        });
    }

    #[test]
    fn order_is_wrong_only_when_the_items_are_right() {
        assert!(in_input_order(&[1, 2], &[1, 2]).is_ok());
        let swapped = in_input_order(&[2, 1], &[1, 2]).unwrap_err();
        assert_eq!(swapped.asserted_cause(), Some(Cause::WrongOrder));
        let wrong = in_input_order(&[1, 3], &[1, 2]).unwrap_err();
        assert_eq!(wrong.asserted_cause(), None);
    }
}
