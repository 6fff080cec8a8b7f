//! The judges: each checks one part of the contract on an [`Outcome`] and
//! fails with what it observed, then what to try. A test applies
//! [`preconditions`] (without which its scenario means nothing), then the
//! checks its name promises; [`everything`] applies them all, the most
//! telling diagnosis first.

use std::time::Duration;

use ex12::ShutdownReport;
use grading::{
    fmt_duration, ms, payload_text, preview, record_student_panic, was, Cause, Clock, Diagnosis,
    Timeline,
};

use crate::probe::{Outcome, AFTERWARDS, HANDLER_PANIC};
use crate::script::{show, who, Fate, Request, Script, CLIENTS_LEAVE_MS, SLACK_MS};

/// A diagnosis of how the requests ran: `observed`, then the test's
/// timeline in words, with the picture (see [`pictures`]) under it. Only
/// failing with it records the picture, so a check that passes records none.
fn told(script: &Script, o: &Outcome, observed: String) -> Diagnosis {
    let (seen, correct) = pictures(script, o);
    Diagnosis::new(format!("{observed}\n{}", script.timeline())).picture(seen, correct)
}

/// What each request did (from its start to its end, or until its future
/// was dropped, or until serve returned if neither happened before), with
/// the shutdown, the end of the grace period and serve's return marked;
/// above what a correct serve does with the same script.
fn pictures(script: &Script, o: &Outcome) -> (Timeline, Timeline) {
    let lane = |r: &Request| format!("request {}", r.id);
    let marks = |mut t: Timeline, returned: (&str, u64)| {
        if let Some(s) = script.shutdown {
            t = t
                .mark("shutdown", ms(s))
                .mark("grace ends", ms(s + script.grace));
        }
        if let Some(c) = script.close {
            t = t.mark("channel closed", ms(c));
        }
        t.mark(returned.0, ms(returned.1))
    };
    let seen = observed(script, o);
    let mut correct = Timeline::new("what a correct serve does", Clock::Virtual);
    for r in &script.requests {
        let end = match script.fate(r) {
            Fate::NotStarted => None,
            Fate::Completes(at) | Fate::Panics(at) => Some(at),
            Fate::Abandoned => script.grace_ends(),
        };
        let span: Vec<_> = end.map(|e| (ms(r.at), ms(e))).into_iter().collect();
        correct = correct.lane(&lane(r), &span);
    }
    let stopped = if o.report.is_none() && o.panic.is_none() {
        "grader gave up"
    } else {
        "serve returned"
    };
    (
        marks(seen, (stopped, o.returned)),
        marks(correct, ("serve returned", script.returns_at())),
    )
}

/// Time from which the thread that ran one play of a script counts as
/// blocked (asleep) or spinning (on a core): a correct `serve` needs a few
/// milliseconds of work (the 1000-request script: about 20 ms), while every
/// script's grace period, slept for real, is 1 s or more.
pub const BLOCKED: Duration = ms(500);

/// What the thread that ran `serve` did with its real time, when it proves
/// something. Real time alone proves nothing: on a busy machine the same 20
/// ms of work can take a second while the thread waits for a core. So the
/// kernel's account is read (see [`grading::ThreadClock`]): asleep, or on a
/// core, for longer than any correct serve needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stall {
    /// The thread slept this long (blocked: a sleep, a lock, a blocking read).
    Asleep(Duration),
    /// The thread ran on a core this long (a spin, or long computing).
    OnCpu(Duration),
}

/// See [`Stall`]. `None` also where the kernel does not say (not Linux):
/// then no cause is drawn from real time.
pub fn stall(o: &Outcome) -> Option<Stall> {
    let split = o.thread.split?;
    if split.asleep >= BLOCKED {
        Some(Stall::Asleep(split.asleep))
    } else if split.on_cpu >= BLOCKED {
        Some(Stall::OnCpu(split.on_cpu))
    } else {
        None
    }
}

/// What every scenario needs before its own checks mean anything: serve did
/// not panic, called each handler once, did not block the thread, and
/// started every request as it arrived (the script's fates assume it).
pub fn preconditions(script: &Script, o: &Outcome) {
    serve_did_not_panic(o);
    handled_once(script, o);
    did_not_block(script, o);
    started_on_arrival(script, o);
}

/// Whether everything went exactly as the script says: the report, the
/// return time, and what became of every request.
pub fn as_scripted(script: &Script, o: &Outcome) -> bool {
    let on_time = |at: Option<u64>, when: u64| at.is_some_and(|t| t.abs_diff(when) <= SLACK_MS);
    o.panic.is_none()
        && o.strangers.is_empty()
        && o.report.as_ref() == Some(&script.want())
        && o.returned.abs_diff(script.returns_at()) <= SLACK_MS
        && script.requests.iter().all(|r| {
            let (then, later) = (o.at_return(r.id), o.afterwards(r.id));
            later.calls <= 1
                && match script.fate(r) {
                    Fate::NotStarted => later.started.is_none(),
                    Fate::Completes(at) => {
                        on_time(then.started, r.at) && on_time(then.finished, at)
                    }
                    Fate::Abandoned => {
                        on_time(then.started, r.at) && then.dropped && later.finished.is_none()
                    }
                    Fate::Panics(_) => false,
                }
        })
}

/// Every check, in order: the whole contract of `serve`.
pub fn everything(script: &Script, o: &Outcome) {
    preconditions(script, o);
    nothing_started_after_shutdown(script, o);
    returned_on_time(script, o);
    abandoned_were_stopped(script, o);
    report_is_right(script, o);
}

/// A panic in `serve` itself is the student's (a `todo!()` is "not started").
pub fn serve_did_not_panic(o: &Outcome) {
    if let Some(payload) = &o.panic {
        panic!("\n{}\n", record_student_panic(payload.as_ref()));
    }
}

/// Every request handled once, and only the test's requests.
pub fn handled_once(script: &Script, o: &Outcome) {
    let timeline = script.timeline();
    if let Some(&id) = o.strangers.first() {
        Diagnosis::new(format!(
            "serve called handle({id}), but the test never sent a request {id}.\n{timeline}"
        ))
        .advice("call `handle` with the ids that come out of `requests.recv()`, once each.")
        .fail();
    }
    let mut twice: Vec<u64> = o
        .afterwards
        .iter()
        .filter(|(_, log)| log.calls > 1)
        .map(|(&id, _)| id)
        .collect();
    twice.sort_unstable();
    if let Some(&id) = twice.first() {
        Diagnosis::new(format!(
            "serve called handle({id}) {} times: every request must be handled exactly once.\n\
             {timeline}",
            o.afterwards(id).calls
        ))
        .advice("call `handle(id)` once per id received, and spawn that future.")
        .fail();
    }
}

/// Waiting costs no real time on the paused clock: a thread that sleeps (or
/// spins) for a long time while tokio's clock stands still was blocked by
/// serve. Judged only when something went wrong, as its explanation: a run
/// that went as scripted passes whatever the thread did.
pub fn did_not_block(script: &Script, o: &Outcome) {
    let Some(stall) = stall(o).filter(|_| !as_scripted(script, o)) else {
        return;
    };
    let real = fmt_duration(o.thread.real);
    let ctx = script.situation();
    let returned = show(o.returned);
    let asleep = match stall {
        Stall::Asleep(asleep) => asleep,
        Stall::OnCpu(on_cpu) => told(
            script,
            o,
            format!(
                "{ctx}: serve returned at {returned} on tokio's clock, but the thread that ran it \
             took {real} of real time, {} of it running on a core. A correct serve needs a few \
             milliseconds of work here: waiting in tokio costs nothing (the test runs on \
             tokio's paused clock). So serve kept the thread busy instead of awaiting: a loop \
             that polls without waiting (`try_recv()`, `is_cancelled()`, `Instant::now()` in a \
             loop), or long work on the runtime's thread.",
                fmt_duration(on_cpu)
            ),
        )
        .candidates([Cause::BusyLoop, Cause::BlockingInAsync])
        .advice(
            "let tokio do the waiting: `tokio::select!` on `shutdown.cancelled()` and \
             `requests.recv()`, `join_next().await`, `tokio::time::timeout`.",
        )
        .fail(),
    };
    let grace = show(script.grace);
    let like_grace = script.shutdown.is_some()
        && asleep.as_millis().abs_diff(u128::from(script.grace)) * 4 <= u128::from(script.grace);
    let then = if like_grace {
        let in_grace: Vec<u64> = script.ids_where(|f| match f {
            Fate::Completes(at) => script.shutdown.is_some_and(|s| at > s),
            _ => false,
        });
        let lost = if in_grace.is_empty() {
            String::new()
        } else {
            format!(
                ": {} would have finished within it, but could not run while the thread slept",
                who(&in_grace)
            )
        };
        format!(
            " That is about the grace period ({grace}): was it slept with \
             `std::thread::sleep(grace)`? Then the grace period passed on the wall clock, with \
             no task running and tokio's clock standing still, and the running requests never \
             got it{lost}."
        )
    } else {
        String::new()
    };
    told(
        script,
        o,
        format!(
            "{ctx}: serve returned at {returned} on tokio's clock, but the thread that ran it was \
         asleep for {} of real time (the kernel's count: neither running nor waiting for a \
         core). Waiting in tokio never puts the thread to sleep here (the test runs on tokio's \
         paused clock, which jumps ahead instead), so serve blocked the thread with a \
         blocking call instead of awaiting.{then}",
            fmt_duration(asleep)
        ),
    )
    .cause(Cause::BlockingInAsync)
    .advice(
        "never block inside async code: wait with tokio (`tokio::time::timeout(grace, <wait \
         for them all>).await`), not with `std::thread::sleep` or a blocking call.",
    )
    .fail()
}

/// What each request's handler did, as measured: from its first poll to its
/// end, or to the drop of its future (when tokio's clock could tell). A
/// handler seen neither to end nor to be dropped by the time serve returned
/// is drawn as unknown from its start on, never as running.
fn observed(script: &Script, o: &Outcome) -> Timeline {
    let mut seen = Timeline::new("what your serve did", Clock::Virtual);
    for r in &script.requests {
        let log = o.afterwards(r.id);
        let end = log.finished.or(log.dropped_at);
        let span: Vec<_> = log
            .started
            .map(|s| (ms(s), end.map(|e| ms(e.max(s)))))
            .into_iter()
            .collect();
        seen = seen.lane_partly_seen(&format!("request {}", r.id), &span, ms(o.returned));
    }
    seen
}

/// The most requests whose handlers were seen running at the same time:
/// the picture's peak, so that words and picture agree.
fn peak_in_flight(script: &Script, o: &Outcome) -> usize {
    observed(script, o).peak()
}

/// Every request that came in time started when it arrived.
pub fn started_on_arrival(script: &Script, o: &Outcome) {
    let ctx = script.situation();
    let mut in_time: Vec<Request> = script
        .requests
        .iter()
        .filter(|r| script.fate(r) != Fate::NotStarted)
        .copied()
        .collect();
    in_time.sort_by_key(|r| (r.at, r.id));
    for r in &in_time {
        let arrived = show(r.at);
        let started = match o.afterwards(r.id).started {
            None => {
                // One request running alone when this one came: serve was
                // busy with it.
                let busy_with = in_time.iter().find(|other| {
                    let log = o.afterwards(other.id);
                    other.id != r.id
                        && log.started.is_some_and(|s| s <= r.at)
                        && log.finished.is_none_or(|f| f > r.at)
                });
                match busy_with {
                    Some(other) if peak_in_flight(script, o) <= 1 => told(
                        script,
                        o,
                        format!(
                        "request {} arrived at {arrived} ({ctx}), while request {} was running, \
                         and its handler never ran: serve did not take it while request {} \
                         ran, and never more than one request ran at a time. Does serve await \
                         each request before it takes the next?",
                        r.id, other.id, other.id
                    ),
                    )
                    .candidates([Cause::Sequential])
                    .advice(
                        "don't `.await` a request inside the receiving loop: spawn each \
                         one as a task of its own (`set.spawn(handle(id))` on a \
                         `JoinSet`) and go straight back to `requests.recv()`.",
                    )
                    .fail(),
                    _ => told(
                        script,
                        o,
                        format!(
                        "request {} arrived at {arrived} ({ctx}), but its handler never ran (it \
                         was never called, or its future never polled).",
                        r.id
                    ),
                    )
                    .advice(
                        "start each request as soon as its id comes out of \
                         `requests.recv()`: `set.spawn(handle(id))` on a \
                         `tokio::task::JoinSet`.",
                    )
                    .fail(),
                }
            }
            Some(started) if started > r.at + SLACK_MS => started,
            Some(_) => continue,
        };
        let waited_for = in_time.iter().find(|other| {
            other.id != r.id
                && o.afterwards(other.id)
                    .finished
                    .is_some_and(|f| f.abs_diff(started) <= SLACK_MS)
        });
        let peak = peak_in_flight(script, o);
        match waited_for {
            Some(other) if peak <= 1 => told(
                script,
                o,
                format!(
                    "request {} arrived at {arrived} but its handler started only at {}, when \
                 request {} finished: serve took the next request only after the previous one \
                 was done, so the requests ran one after another.",
                    r.id,
                    show(started),
                    other.id
                ),
            )
            .cause(Cause::Sequential)
            .advice(
                "don't `.await` a request inside the receiving loop: spawn each one as a \
                 task of its own (`set.spawn(handle(id))` on a `JoinSet`) and go straight \
                 back to `requests.recv()`.",
            )
            .fail(),
            Some(other) => told(
                script,
                o,
                format!(
                    "request {} arrived at {arrived} but its handler started only at {}, when \
                 request {} finished; never more than {peak} requests ran at once: serve limits \
                 how many requests run at the same time (a `Semaphore`, `buffer_unordered`, a \
                 fixed set of workers?), so a request that comes while {peak} are running waits \
                 for one of them to end.",
                    r.id,
                    show(started),
                    other.id
                ),
            )
            .candidates([Cause::UnderUsed, Cause::Batches])
            .advice(
                "start every request as soon as it comes, with no limit: \
                 `set.spawn(handle(id))` on a `JoinSet`. What bounds a shutdown is the \
                 grace period, not a cap on running requests.",
            )
            .fail(),
            None => told(
                script,
                o,
                format!(
                    "request {} arrived at {arrived} but its handler started only at {}: serve \
                 did not take it when it came.",
                    r.id,
                    show(started)
                ),
            )
            .advice(
                "wait for the next request and for the shutdown at the same time \
                 (`tokio::select!`), and spawn each request as soon as it comes.",
            )
            .fail(),
        }
    }
}

/// The requests sent after the shutdown were never started.
pub fn nothing_started_after_shutdown(script: &Script, o: &Outcome) {
    let mut late: Vec<Request> = script
        .requests
        .iter()
        .filter(|r| script.fate(r) == Fate::NotStarted && o.afterwards(r.id).started.is_some())
        .copied()
        .collect();
    late.sort_by_key(|r| (r.at, r.id));
    let Some(first) = late.first() else {
        return;
    };
    let s = script.shutdown.unwrap_or_default();
    let ids: Vec<u64> = late.iter().map(|r| r.id).collect();
    let when = if first.at == s {
        "was queued in the channel at the very moment of the shutdown".to_string()
    } else {
        format!("arrived at {}, during the grace period", show(first.at))
    };
    let how = if late.iter().all(|r| r.at == s) {
        "Either select! picked the queued request rather than the shutdown (without \
         `biased;` it tries its branches in random order), or serve emptied the channel after \
         the shutdown."
    } else {
        "serve kept taking requests after the shutdown."
    };
    told(
        script,
        o,
        format!(
        "{}: {} arrived after the shutdown and {} started anyway ({} {when}). {how} A shutdown \
         means no new work: a request still queued, or one that comes during the grace period, \
         is never started.",
        script.situation(),
        who(&ids),
        was(ids.len()),
        who(&ids[..1])
    ),
    )
    .cause(Cause::IgnoresStop)
    .advice(
        "leave the receiving loop as soon as `shutdown.cancelled()` is ready, and make \
         that the first branch of a `biased;` select!, so that it wins over a queued \
         request; after it, only wait for the running requests (and drop `requests`).",
    )
    .fail();
}

/// serve returned when it should: when nothing ran any more, at the latest
/// when the grace period ended.
pub fn returned_on_time(script: &Script, o: &Outcome) {
    let ctx = script.situation();
    let want = script.returns_at();
    if o.report.is_none() {
        match script.shutdown {
            None => told(
                script,
                o,
                format!(
                "{ctx}: serve had not returned at 2 h, long after the channel closed and every \
                 request was done (at {}). It waits for something that never happens: with the \
                 channel closed no request will ever come, and no shutdown may ever come \
                 either. (A `Some(id) = requests.recv()` branch of select! is simply switched \
                 off once the channel is closed; the select! then waits for its other \
                 branches.)",
                show(want)
            ),
            )
            .advice(
                "when `requests.recv()` gives `None`, leave the loop (`request = \
                 requests.recv() => match request { Some(id) => ..., None => break }`), \
                 wait for the running requests, then return.",
            )
            .fail(),
            Some(_) => told(
                script,
                o,
                format!(
                "{ctx}: serve had not returned at 2 h, although the test closed the channel at \
                 1 h. It waits for something that never happens."
            ),
            )
            .advice(
                "after the shutdown, wait at most `grace` for the running requests \
                 (`tokio::time::timeout(grace, ...)`), abort the rest, wait until they \
                 are gone, and return.",
            )
            .fail(),
        }
    }
    let got = o.returned;
    let end = show(got);
    let finishing_in_grace: Vec<u64> = script.ids_where(|f| match f {
        Fate::Completes(at) => script.shutdown.is_some_and(|s| at > s),
        _ => false,
    });
    match script.shutdown {
        Some(s) if got > want + SLACK_MS => {
            let grace_ends = s + script.grace;
            if got + SLACK_MS >= CLIENTS_LEAVE_MS {
                told(
                    script,
                    o,
                    format!(
                        "{ctx}: serve returned only at {end}, when the test finally closed the \
                     channel: it did not react to the shutdown, only to the channel's end. A \
                     real server, whose clients never stop sending, would ignore Ctrl-C for \
                     ever."
                    ),
                )
                .cause(Cause::IgnoresStop)
                .advice(
                    "wait for the shutdown and for the next request at the same time: \
                     `tokio::select! { biased; _ = shutdown.cancelled() => break, \
                     request = requests.recv() => ... }`.",
                )
                .fail();
            }
            if got > grace_ends + SLACK_MS {
                past_the_grace_period(script, o, grace_ends);
            }
            if want < grace_ends && got + SLACK_MS >= grace_ends {
                let done = if finishing_in_grace.is_empty() {
                    "nothing was running at the shutdown".to_string()
                } else {
                    format!("every request was done at {}", show(want))
                };
                told(
                    script,
                    o,
                    format!(
                        "{ctx}: serve returned at {end}: it waited out the whole grace period, \
                     although {done}. A server that has nothing left to do should stop at \
                     once."
                    ),
                )
                .advice(
                    "wait for the running requests themselves, with `grace` as a limit: \
                     `tokio::time::timeout(grace, <wait for them all>)` returns as soon \
                     as they are done. Don't `sleep(grace)`.",
                )
                .fail();
            }
            told(
                script,
                o,
                format!(
                    "{ctx}: serve returned at {end}, expected {} ({}).",
                    show(want),
                    if want == s {
                        "nothing was running at the shutdown"
                    } else {
                        "when the last running request finished"
                    }
                ),
            )
            .advice("return as soon as nothing runs any more.")
            .fail();
        }
        Some(s) if got + SLACK_MS < want => {
            if got + SLACK_MS < s {
                told(
                    script,
                    o,
                    format!(
                        "{ctx}: serve returned at {end}, before the shutdown, while the channel \
                     was still open."
                    ),
                )
                .advice(
                    "keep taking requests until `shutdown` is cancelled or \
                     `requests.recv()` gives `None`.",
                )
                .fail();
            }
            if got <= s + SLACK_MS && !finishing_in_grace.is_empty() {
                told(
                    script,
                    o,
                    format!(
                    "{ctx}: serve returned at {end}, right at the shutdown, without any grace: \
                     {} would have finished within the grace period (the last at {}), but \
                     {} abandoned.",
                    who(&finishing_in_grace),
                    show(want),
                    if finishing_in_grace.len() == 1 {
                        "it was"
                    } else {
                        "they were"
                    }
                ),
                )
                .advice(
                    "give the running requests up to `grace` to finish: \
                     `tokio::time::timeout(grace, <wait for them all>)`, and abort only \
                     those still running when it gives `Err(Elapsed)`.",
                )
                .fail();
            }
            told(
                script,
                o,
                format!(
                    "{ctx}: serve returned at {end}, expected {}: it gave up before the running \
                 requests were done and before the grace period ended.",
                    show(want)
                ),
            )
            .advice(
                "after the shutdown, wait for the running requests with \
                 `tokio::time::timeout(grace, ...)`; abort only what is left after it.",
            )
            .fail();
        }
        None if got > want + SLACK_MS => told(
            script,
            o,
            format!(
                "{ctx}: serve returned at {end}, but every request was done at {}.",
                show(want)
            ),
        )
        .advice("once the channel is closed and the running requests are done, return.")
        .fail(),
        None if got + SLACK_MS < want => {
            let close = script.close.unwrap_or_default();
            let running: Vec<u64> = script.ids_where(|f| match f {
                Fate::Completes(at) => at > got,
                _ => false,
            });
            if got + SLACK_MS < close {
                told(
                    script,
                    o,
                    format!(
                        "{ctx}: serve returned at {end}, while the channel was still open and no \
                     shutdown was requested."
                    ),
                )
                .advice(
                    "keep taking requests until `requests.recv()` gives `None` (or a \
                     shutdown).",
                )
                .fail();
            }
            told(
                script,
                o,
                format!(
                    "{ctx}: serve returned at {end}, while {} {} still running (the last would \
                 finish at {}). A closed channel only means that no request will come any \
                 more: the running ones must still finish, however long they take.",
                    who(&running),
                    was(running.len()),
                    show(want)
                ),
            )
            .advice(
                "when `requests.recv()` gives `None`, wait for every running request \
                 (`while let Some(..) = set.join_next().await`), with no time limit: \
                 the grace period is for shutdowns only.",
            )
            .fail();
        }
        _ => {}
    }
}

/// serve returned after the grace period ended: says whether one deadline
/// was missing altogether or restarted, when the finishes observed after the
/// shutdown prove it.
fn past_the_grace_period(script: &Script, o: &Outcome, grace_ends: u64) -> ! {
    let ctx = script.situation();
    let (got, end, grace) = (o.returned, show(o.returned), script.grace);
    let s = script.shutdown.unwrap_or_default();
    // What serve could wait for after the shutdown: the requests' ends.
    let mut finishes: Vec<(u64, u64)> = script
        .requests
        .iter()
        .filter_map(|r| o.afterwards(r.id).finished.map(|f| (f, r.id)))
        .filter(|&(f, _)| f > s && f <= got + SLACK_MS)
        .collect();
    finishes.sort_unstable();
    let last = finishes.last().map(|&(f, _)| f);
    let at_a_finish = last.is_some_and(|f| f.abs_diff(got) <= SLACK_MS);
    // A return `grace` after a request's end (and not at another's end):
    // the grace period restarted.
    if let Some(&(f, id)) = finishes
        .iter()
        .find(|&&(f, _)| !at_a_finish && (f + grace).abs_diff(got) <= SLACK_MS)
    {
        told(
            script,
            o,
            format!(
            "{ctx}: serve returned at {end}, but the grace period ended at {}. {end} is {} (the \
             grace) after request {id} finished at {}: the grace period started again when a \
             request ended, so each wait had a limit of its own, and a stream of requests each \
             ending within the grace period holds the shutdown up for as long as it \
             lasts.",
            show(grace_ends),
            show(grace),
            show(f)
        ),
        )
        .cause(Cause::DeadlinePerOp)
        .advice(
            "one deadline for the whole wait: `tokio::time::timeout(grace, <wait for them all>)` \
             around the loop that drains the `JoinSet`, or `tokio::time::timeout_at(deadline, \
             set.join_next())` with one `deadline` computed once, at the shutdown.",
        )
        .fail();
    }
    if at_a_finish {
        // The longest stretch after the shutdown with no request ending: a
        // wait with any limit up to the grace period would have ended it.
        let events: Vec<u64> = std::iter::once(s)
            .chain(finishes.iter().map(|&(f, _)| f))
            .collect();
        let (from, to) = events
            .windows(2)
            .map(|w| (w[0], w[1]))
            .max_by_key(|&(a, b)| b - a)
            .unwrap_or((s, got));
        if to - from > grace + SLACK_MS {
            told(
                script,
                o,
                format!(
                "{ctx}: serve returned at {end}, when the last request finished, instead of at \
                 {} when the grace period ended. From {} to {} serve waited with no request \
                 ending, longer than the grace period ({}): it waited for every request to \
                 finish with no time limit, so one slow request can hold the shutdown up for as \
                 long as it likes.",
                show(grace_ends),
                show(from),
                show(to),
                show(grace)
            ),
            )
            .cause(Cause::NoTimeout)
            .advice(
                "bound the wait with `tokio::time::timeout(grace, <wait for them all>)`; when it \
                 gives `Err(Elapsed)`, abort the rest (`abort_all()`) and wait until they are \
                 gone.",
            )
            .fail();
        }
        told(
            script,
            o,
            format!(
                "{ctx}: serve returned at {end}, when the last request finished, instead of at {} \
             when the grace period ended. No wait after the shutdown lasted longer than the \
             grace period, so this does not show whether serve's waits had no limit at all or \
             each had a limit of its own; either way the grace period did not bound the whole \
             shutdown.",
                show(grace_ends)
            ),
        )
        .candidates([Cause::DeadlinePerOp, Cause::NoTimeout])
        .advice(
            "one deadline for the whole wait: `tokio::time::timeout(grace, <wait for them all>)`; \
             when it gives `Err(Elapsed)`, abort the rest (`abort_all()`) and wait until they \
             are gone.",
        )
        .fail();
    }
    told(
        script,
        o,
        format!(
            "{ctx}: serve returned at {end}, but the grace period ended at {}.",
            show(grace_ends)
        ),
    )
    .advice(
        "after the shutdown, wait at most `grace` for the running requests \
         (`tokio::time::timeout(grace, ...)`), then abort the rest.",
    )
    .fail()
}

/// The abandoned requests were aborted, and gone, before serve returned.
pub fn abandoned_were_stopped(script: &Script, o: &Outcome) {
    let ctx = script.situation();
    let end = show(o.returned);
    let abandoned = script.ids_where(|f| f == Fate::Abandoned);
    let ran_on: Vec<u64> = abandoned
        .iter()
        .copied()
        .filter(|&id| o.at_return(id).finished.is_none() && o.afterwards(id).finished.is_some())
        .collect();
    if let Some(&first) = ran_on.first() {
        told(
            script,
            o,
            format!(
            "{ctx}: serve returned at {end}, but {} kept running after serve returned: request \
             {first} finished at {}, and could have done anything then (written to a \
             database that was being closed, say). Dropping a `JoinHandle` does not stop its \
             task.",
            who(&ran_on),
            show(o.afterwards(first).finished.unwrap_or_default())
        ),
        )
        .cause(Cause::NotCancelled)
        .advice(
            "abort the requests still running when the grace period ends \
             (`JoinSet::abort_all()`, or `abort()` on each handle), then wait until they \
             are gone (`join_next()` until it gives `None`).",
        )
        .fail();
    }
    let alive: Vec<u64> = abandoned
        .iter()
        .copied()
        .filter(|&id| !o.at_return(id).dropped)
        .collect();
    if alive.is_empty() {
        return;
    }
    let never: Vec<u64> = alive
        .iter()
        .copied()
        .filter(|&id| !o.afterwards(id).dropped)
        .collect();
    if !never.is_empty() {
        told(
            script,
            o,
            format!(
            "{ctx}: {} {} never cancelled: {} after serve returned, {} still alive, waiting (a \
             future kept or leaked somewhere, or a task never aborted).",
            who(&never),
            was(never.len()),
            fmt_duration(AFTERWARDS),
            if never.len() == 1 {
                "it was"
            } else {
                "they were"
            }
        ),
        )
        .cause(Cause::NotCancelled)
        .advice(
            "abort what is still running when the grace period ends \
             (`JoinSet::abort_all()`), then wait until it is gone.",
        )
        .fail();
    }
    told(
        script,
        o,
        format!(
            "{ctx}: {} had not been dropped yet when serve returned at {end}, so {} clean-up \
         (closing a connection, rolling back a transaction) had not run: aborting only asks \
         tokio to cancel a task, which happens later.",
            who(&alive),
            if alive.len() == 1 { "its" } else { "their" }
        ),
    )
    .cause(Cause::NeverJoined)
    .advice(
        "after `abort_all()`, keep calling `join_next()` (or `join_next_with_id()`) until \
         it gives `None`: then every aborted task is gone. (`JoinSet::shutdown()` does \
         both, but then you no longer see which requests ended how.)",
    )
    .fail();
}

fn show_ids(ids: &[u64]) -> String {
    preview(ids, 8)
}

fn show_report(report: &ShutdownReport) -> String {
    format!(
        "completed {} and abandoned {}",
        show_ids(&report.completed),
        show_ids(&report.abandoned)
    )
}

/// The report lists the right requests, sorted.
pub fn report_is_right(script: &Script, o: &Outcome) {
    report_lists(script, o, true);
}

/// The report lists the right requests, in any order.
pub fn report_lists_the_right_ids(script: &Script, o: &Outcome) {
    report_lists(script, o, false);
}

/// A wrong report is judged against what the requests really did: if it
/// tells the truth about them, the fault is in what serve did (the return
/// time, an early abort), and that is what the message says.
fn report_lists(script: &Script, o: &Outcome, sorted_too: bool) {
    let Some(got) = &o.report else {
        return;
    };
    let ctx = script.situation();
    let timeline = script.timeline();
    let want = script.want();
    if *got == want {
        return;
    }
    let sorted = |ids: &[u64]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids
    };
    let (completed, abandoned) = (sorted(&got.completed), sorted(&got.abandoned));
    if completed == want.completed && abandoned == want.abandoned {
        if !sorted_too {
            return;
        }
        Diagnosis::new(format!(
            "{ctx}: serve reported {}: the right requests, but the lists are not sorted \
             (expected {} and {}).\n{timeline}",
            show_report(got),
            show_ids(&want.completed),
            show_ids(&want.abandoned)
        ))
        .cause(Cause::WrongOrder)
        .advice("sort both lists before returning (`sort_unstable()`).")
        .fail();
    }
    // What each request really did by the time serve returned.
    let mut ids: Vec<u64> = script.requests.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    let ran_to_end = |id: u64| o.at_return(id).finished;
    let did = ShutdownReport {
        completed: ids
            .iter()
            .copied()
            .filter(|&id| ran_to_end(id).is_some())
            .collect(),
        abandoned: ids
            .iter()
            .copied()
            .filter(|&id| ran_to_end(id).is_none() && o.at_return(id).started.is_some())
            .collect(),
    };
    if completed == did.completed && abandoned == did.abandoned {
        // A true report of the wrong outcome: the return time says why.
        returned_on_time(script, o);
        Diagnosis::new(format!(
            "{ctx}: serve reported {}, which is what its requests did, but expected {}: it \
             ended some requests at the wrong time.\n{timeline}",
            show_report(got),
            show_report(&want)
        ))
        .advice(
            "after a shutdown, let the running requests run for up to `grace`, and abort \
             only those still running then; after the channel closes, let them all finish.",
        )
        .fail();
    }
    let what_became = |id: u64| -> String {
        let log = o.at_return(id);
        match (log.started, log.finished) {
            _ if !ids.contains(&id) => format!("the test never sent a request {id}"),
            (_, Some(at)) => format!("request {id} ran to its end at {}", show(at)),
            (Some(_), None) => format!("request {id} had not finished when serve returned"),
            (None, None) => format!("request {id} was never started"),
        }
    };
    let wrong = ids
        .iter()
        .chain(&got.completed)
        .chain(&got.abandoned)
        .copied()
        .find(|id| {
            did.completed.contains(id) != got.completed.contains(id)
                || did.abandoned.contains(id) != got.abandoned.contains(id)
                || got
                    .completed
                    .iter()
                    .chain(&got.abandoned)
                    .filter(|&g| g == id)
                    .count()
                    > 1
        });
    let why = wrong.map_or_else(String::new, |id| {
        let times = got
            .completed
            .iter()
            .chain(&got.abandoned)
            .filter(|&&g| g == id)
            .count();
        let listed = match (got.completed.contains(&id), got.abandoned.contains(&id)) {
            _ if times > 1 => "listed it twice",
            (true, _) => "listed it as completed",
            (false, true) => "listed it as abandoned",
            (false, false) => "left it out",
        };
        format!(": {}, but the report {listed}", what_became(id))
    });
    Diagnosis::new(format!(
        "{ctx}: serve reported {}; expected {}{why}.\n{timeline}",
        show_report(got),
        show_report(&want)
    ))
    .advice(
        "list a request under `completed` when its task ran to its end \
         (`join_next_with_id` gives `Ok((task_id, ()))`), under `abandoned` when it was \
         aborted (`Err(e)` with `e.is_cancelled()`; `e.id()` is its task id); map task ids \
         back to request ids with a `HashMap`.",
    )
    .fail();
}

/// A handler that panicked is neither completed nor abandoned: serve passes
/// the panic on (any panic carrying the handler's message will do, e.g. an
/// `unwrap()` of its `JoinError`). When it does not, the other checks that
/// do not need a report come first: they explain a handler that never got
/// as far as its panic.
pub fn panic_passed_on(script: &Script, o: &Outcome) {
    if let Some(payload) = &o.panic {
        if !payload_text(payload.as_ref()).contains(HANDLER_PANIC) {
            panic!("\n{}\n", record_student_panic(payload.as_ref()));
        }
        return;
    }
    preconditions(script, o);
    let ctx = script.situation();
    let timeline = script.timeline();
    let (id, crashed_at) = script
        .requests
        .iter()
        .find_map(|r| match script.fate(r) {
            Fate::Panics(at) => Some((r.id, show(at))),
            _ => None,
        })
        .expect("the script has a panicking request");
    // The probe logs its end just before it panics.
    let log = o.afterwards(id);
    if log.finished.is_none() {
        let Some(started) = log.started else {
            told(
                script,
                o,
                format!(
                    "{ctx}: request {id}'s handler never ran, so it could not panic at \
                 {crashed_at}.",
                ),
            )
            .advice("start each request as soon as its id comes out of `requests.recv()`.")
            .fail();
        };
        // When serve returned early, that says why.
        returned_on_time(script, o);
        told(
            script,
            o,
            format!(
                "{ctx}: request {id}'s handler started at {} but never reached its panic at \
             {crashed_at}: its future was dropped before.",
                show(started)
            ),
        )
        .advice(
            "after a shutdown, give the running requests the whole grace period; abort \
             only what is still running when it ends.",
        )
        .fail();
    }
    let Some(got) = &o.report else {
        // Stuck: the general judge words it.
        return returned_on_time(script, o);
    };
    let listed = match (got.completed.contains(&id), got.abandoned.contains(&id)) {
        (_, true) => format!(
            "reported it as abandoned ({}). Abandoned means \"still running when the grace \
             period ended, and aborted\": request {id} was never aborted, its handler crashed. \
                                        Filing a crash as a cancellation hides a bug",
            show_report(got)
        ),
        (true, false) => format!(
            "reported it as completed ({}), although its handler never ran to its end",
            show_report(got)
        ),
        (false, false) => format!(
            "returned normally and left it out of its report ({}): the panic was swallowed, \
             and nobody will ever learn that the handler crashed",
            show_report(got)
        ),
    };
    Diagnosis::new(format!(
        "{ctx}: request {id}'s handler panicked at {crashed_at} (the test's handler, on \
         purpose: that is the panic printed above), and serve {listed}.\n{timeline}"
    ))
    .cause(Cause::ErrorSwallowed)
    .advice(
        "pass a handler's panic on instead of listing it or dropping it. A task's \
         `JoinError` tells the two apart: an abort when `e.is_cancelled()`, a panic when \
         `e.is_panic()` (from `join_next_with_id`, or from awaiting a `JoinHandle`); \
         `std::panic::resume_unwind(e.into_panic())` passes it on.",
    )
    .fail();
}
