//! The judges: what the probe saw, turned into a verdict and a diagnosis.

use std::collections::HashSet;
use std::thread::ThreadId;
use std::time::Duration;

use grading::{count, fmt_duration, ms, preview_with, Cause, Clock, Diagnosis, Timeline};

use crate::probe::{run, Ended, Hold, Quit, Report, Setup, PATIENCE, STALL};

/// At most `shown` entries of a list of descriptions.
fn listed(items: &[String], shown: usize) -> String {
    preview_with(items, shown, String::clone)
}

fn label(source: usize, index: usize) -> String {
    format!("item {index} of source {source}")
}

/// "the consumer" / "each of the 3 consumers".
fn each(k: usize, noun: &str) -> String {
    if k == 1 {
        format!("the {noun}")
    } else {
        format!("each of the {k} {noun}s")
    }
}

/// The sources not read to the end, as "source 1 (3 of 40 pulled)".
fn unread(setup: &Setup, r: &Report) -> Vec<String> {
    (0..setup.sources.len())
        .filter(|&i| r.pulled[i] < setup.sources[i])
        .map(|i| {
            let (pulled, len) = (r.pulled[i], setup.sources[i]);
            format!("source {i} ({pulled} of {len} pulled)")
        })
        .collect()
}

/// Explains a pipeline that stopped moving.
#[track_caller]
pub fn judge_stuck(setup: &Setup, r: &Report) -> ! {
    let what = setup.describe();
    let n = setup.total();
    let stall = fmt_duration(STALL);
    let all_read = r.exhausted.iter().all(|&e| e);
    if all_read && r.completed == r.total_pulled {
        Diagnosis::new(format!(
            "pipeline never returned: the consumers are still waiting for items. In {what}, \
             every source was read to the end and {}, yet {stall} later `pipeline` had still \
             not returned.{}",
            if n == 0 {
                String::from("there was no item to handle")
            } else {
                format!("all {} were handled", count(n, "item"))
            },
            record_picture(setup, r, Lanes::Consumers)
        ))
        .candidates([Cause::ChannelNeverClosed, Cause::BusyLoop])
        .advice(
            "drop every Sender (including the original) so the channel closes: give each \
                   producer its own `tx.clone()`, then `drop(tx)`. A consumer's \
                   `for item in rx.iter()` only ends once the last Sender is gone.",
        )
        .fail();
    }
    let unread = unread(setup, r);
    let unread_note = if unread.is_empty() {
        String::from("every source was read to the end")
    } else {
        format!("not read to the end: {}", listed(&unread, 3))
    };
    if r.total_pulled > 0 && r.completed == 0 {
        Diagnosis::new(format!(
            "the pipeline got stuck before a single item was handled: in {what} the producers \
             pulled {} ({unread_note}), then for {stall} no consumer took one, so the \
             producers wait forever to send. Likely causes: the consumers are started only \
             once the producers are joined, and a bounded channel makes the producers wait for \
             room that only a consumer can make; or the consumers stopped before the channel \
             was closed, taking the still empty channel for a finished one.{}",
            count(r.total_pulled, "item"),
            record_picture(setup, r, Lanes::Consumers)
        ))
        .candidates([Cause::Sequential, Cause::StoppedBeforeClosed])
        .advice(
            "spawn the producers and the consumers in one `thread::scope` and join nothing \
             before the end, and keep every consumer receiving until the channel is closed: \
             `for item in rx.iter()`.",
        )
        .fail();
    }
    if r.total_pulled == 0 {
        Diagnosis::new(format!(
            "nothing happened in {what}: for {stall} no item was pulled from any source, and \
             `pipeline` did not return.{}",
            record_picture(setup, r, Lanes::Consumers)
        ))
        .advice(
            "start one producer thread per source, each sending every item of its \
                   source (`for item in source { tx.send(item) }`).",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "the pipeline got stuck: in {what}, {} pulled, {} handled ({unread_note}), then for \
         {stall} no consumer took another item, so the producers wait forever to send: the \
         consumers stopped early.{}",
        count(r.total_pulled, "item"),
        r.completed,
        record_picture(setup, r, Lanes::Consumers)
    ))
    .candidates([Cause::StoppedBeforeClosed])
    .advice(
        "a consumer must keep receiving until the channel is closed and empty: \
               `for item in rx.iter()`. `try_recv` fails with `Empty` whenever the channel is \
               momentarily empty, which does not mean the producers are done, and a stop \
               signal from one producer does not mean the others are done.",
    )
    .fail();
}

/// Every item handled once, every result returned.
#[track_caller]
pub fn judge_items(setup: &Setup, r: &Report, results: &[(usize, usize)]) {
    let what = setup.describe();
    let n = setup.total();
    let mut twice = Vec::new();
    let mut never = Vec::new();
    for (source, calls) in r.calls.iter().enumerate() {
        for (index, &k) in calls.iter().enumerate() {
            match k {
                0 => never.push(label(source, index)),
                1 => {}
                k => twice.push(format!("{} ({k} times)", label(source, index))),
            }
        }
    }
    if !twice.is_empty() {
        Diagnosis::new(format!(
            "in {what} some items were handled more than once: {}.",
            listed(&twice, 3)
        ))
        .advice(
            "hand each item to exactly one consumer: send it once, into one channel \
                   that every consumer receives from.",
        )
        .fail();
    }
    if !never.is_empty() {
        let unread = unread(setup, r);
        if !unread.is_empty() {
            Diagnosis::new(format!(
                "in {what}, {} of the {n} items never reached `handle` ({}): some sources \
                 were not read to the end: {}.",
                never.len(),
                listed(&never, 3),
                listed(&unread, 3)
            ))
            .candidates([Cause::StoppedBeforeClosed])
            .advice(
                "each producer must send every item its source yields \
                       (`for item in source`) until the source is used up. A producer also \
                       stops early when its `send` fails because every consumer is gone: the \
                       consumers must keep receiving until the channel is closed \
                       (`for item in rx.iter()`), and a stop signal from the first producer \
                       to finish does not mean the others are done.",
            )
            .fail();
        }
        Diagnosis::new(format!(
            "in {what}, {} of the {n} items never reached `handle` ({}), though every source \
             was read to the end: the producers pulled them, but no consumer got them. The \
             consumers stopped before the channel was empty, or a send failed and the item \
             was lost.",
            never.len(),
            listed(&never, 3)
        ))
        .candidates([Cause::StoppedBeforeClosed, Cause::ErrorSwallowed])
        .advice(
            "a consumer must keep receiving until the channel is closed *and* empty: \
                   `for item in rx.iter()` ends exactly then. Stop signals (one `None` per \
                   consumer) break as soon as there are several producers: let the channel \
                   close instead, by dropping every Sender.",
        )
        .fail();
    }
    // Every item handled exactly once: the results must be those n pairs.
    if results.len() != n {
        Diagnosis::new(format!(
            "{what} returned {}, but `handle` was called {}: {}.",
            count(results.len(), "result"),
            count(n, "time"),
            if results.len() < n {
                "some results were lost (is every consumer's Vec in the returned one?)"
            } else {
                "some results were returned more than once"
            }
        ))
        .advice(
            "collect what each consumer's `handle` calls return (a Vec per consumer, \
               returned from its thread), and concatenate them all after the scope.",
        )
        .fail();
    }
    let mut got = results.to_vec();
    got.sort_unstable();
    let mut want: Vec<(usize, usize)> = (0..setup.sources.len())
        .flat_map(|s| (0..setup.sources[s]).map(move |i| (s, i)))
        .collect();
    want.sort_unstable();
    if got != want {
        let mut seen = HashSet::new();
        let dup: Vec<String> = got
            .iter()
            .filter(|&&p| !seen.insert(p))
            .map(|&(s, i)| label(s, i))
            .collect();
        Diagnosis::new(format!(
            "{what} returned {n} results, but not one per `handle` call: {}.",
            if dup.is_empty() {
                String::from("some results were not what `handle` returned")
            } else {
                format!("results for {} came back twice", listed(&dup, 3))
            }
        ))
        .advice("return each result of `handle` exactly once.")
        .fail();
    }
}

/// The threads' roles: producers only produce, one thread per source, at most
/// `consumers` threads call `handle`.
#[track_caller]
pub fn judge_threads(setup: &Setup, r: &Report) {
    let what = setup.describe();
    let producers: HashSet<ThreadId> = r.source_threads.iter().flatten().copied().collect();
    let mixed = r.handle_threads.intersection(&producers).count();
    if mixed > 0 {
        Diagnosis::new(format!(
            "in {what}, `handle` ran on a producer thread ({} that pulled items from a \
             source also called `handle`): a producer that handles items itself, for \
             example when the channel is full, is not waiting for the consumers, and the \
             channel no longer limits anything.{}",
            count(mixed, "thread"),
            record_picture(setup, r, Lanes::Both)
        ))
        .advice(
            "producers only send (`tx.send(item)` waits while the channel is full); only \
                   the consumer threads call `handle`.",
        )
        .fail();
    }
    for i in 0..r.source_threads.len() {
        for j in i + 1..r.source_threads.len() {
            if !r.source_threads[i].is_disjoint(&r.source_threads[j]) {
                Diagnosis::new(format!(
                    "in {what}, source {i} and source {j} were read on the same thread: one \
                     producer thread read several sources, one after the other, so a slow \
                     source would hold up all the others.{}",
                    record_picture(setup, r, Lanes::Both)
                ))
                .cause(Cause::Sequential)
                .advice(
                    "start one producer thread per source: \
                           `for source in sources { let tx = tx.clone(); s.spawn(move || ...); }`.",
                )
                .fail();
            }
        }
    }
    let k = r.handle_threads.len();
    if k > setup.consumers {
        Diagnosis::new(format!(
            "in {what}, `handle` ran on {k} different threads, but consumers = {}: a thread per \
         item (or per batch) is not a fixed set of consumers.{}",
            setup.consumers,
            record_picture(setup, r, Lanes::Consumers)
        ))
        .advice(
            "spawn exactly `consumers.get()` consumer threads, each calling `handle` on \
               items from `rx.iter()` until the channel is closed.",
        )
        .fail();
    }
}

/// The channel is bounded: never more than `capacity + consumers + producers`
/// items pulled and not yet handled.
#[track_caller]
pub fn judge_bound(setup: &Setup, r: &Report) {
    let bound = setup.bound();
    if r.peak_outstanding <= bound {
        return;
    }
    let c = setup.capacity;
    let (k, p) = (setup.consumers, setup.sources.len());
    let held = if setup.hold == Hold::Gate {
        " (the grader held each `handle` call until the producers stopped pulling)"
    } else {
        ""
    };
    let observed = format!(
        "the producers pulled {} items while the consumers had handled {}{held} ({}), more \
         than the \
         channel allows: with capacity {c}, at most {bound} items can be pulled and not yet \
         handled ({c} in the channel, one in the hands of {}, one in the hands of {}, waiting \
         to be sent).",
        r.pulled_at_peak,
        count(r.completed_at_peak, "item"),
        setup.describe(),
        each(k, "consumer"),
        each(p, "producer"),
    );
    let waited = fmt_duration(PATIENCE);
    if r.first_handle_after_producers == Some(true) {
        Diagnosis::new(format!(
            "{observed} Every producer thread had finished before the first `handle` call, so \
             the items waited somewhere until then. Most likely the consumers were started \
             only once the producers had been joined, and the channel let every item wait in \
             it: it has no bound (a bounded one would have made the producers wait, and the \
             pipeline would hang). Or the consumers collect what they receive before handling \
             it.{}",
            record_picture(setup, r, Lanes::Consumers)
        ))
        .candidates([Cause::Unbounded, Cause::Sequential])
        .advice(
            "spawn the consumers and the producers in one `thread::scope` and join nothing \
                   before the end, with `crossbeam::channel::bounded(capacity)`: the producers \
                   then wait while the channel is full. Each consumer calls `handle` on each \
                   item as it receives it: `rx.iter().map(&handle)`.",
        )
        .fail();
    }
    if let Some(i) = r.ahead {
        Diagnosis::new(format!(
            "{observed} The grader held back the second pull from source {i} until its first \
             item reached `handle`, and after {waited} it still had not. Most likely the \
             producers pull items before sending them: a producer that collects its source \
             (or a batch of it) before sending keeps those items out of the channel, so the \
             channel's bound cannot limit them. Or the consumers were not handling items yet: \
             started late, or collecting what they receive before handling it.{}",
            record_picture(setup, r, Lanes::Consumers)
        ))
        .advice(
            "send each item as soon as it is pulled: \
                   `for item in source { tx.send(item)... }`, without `collect()`ing the \
                   source first, so that `send` makes the producer wait before it pulls more; \
                   and let each consumer handle each item as it receives it.",
        )
        .fail();
    }
    let zero = if c == 0 {
        " Capacity 0 is a rendezvous, not \"no limit\": `bounded(0)` holds nothing, and each \
         `send` waits until a consumer takes the item (Python's `Queue(maxsize=0)` means no \
         limit, Rust's `bounded(0)` does not)."
    } else {
        ""
    };
    Diagnosis::new(format!(
        "unbounded queue: {observed} The producers sent what they pulled (each source's first \
         item reached a consumer before its second was pulled), so the items piled up in the \
         channel: most likely it has no bound.{zero}{}",
        record_picture(setup, r, Lanes::Consumers)
    ))
    .cause(Cause::Unbounded)
    .advice(
        "use crossbeam::channel::bounded(capacity) (not `unbounded()` or \
               `std::sync::mpsc::channel()`): `send` then waits while the channel is full, so \
               the producers only pull what fits.",
    )
    .fail();
}

/// `min(consumers, items)` calls of `handle` ran at once, on as many threads.
#[track_caller]
pub fn judge_concurrency(setup: &Setup, r: &Report) {
    let what = setup.describe();
    let target = setup.target();
    let peak = r.peak_in_handle;
    let threads = r.handle_threads.len();
    let waited = fmt_duration(PATIENCE);
    let allowed = format!(
        "though consumers = {} and {} allow {target} at the same time (the grader waited \
         {waited} for more)",
        setup.consumers,
        count(setup.total(), "item"),
    );
    let lock_held = "`while let Ok(item) = rx.lock().unwrap().recv() { ... }` keeps the \
        MutexGuard (a temporary of the `while let` condition) alive until the end of the loop \
        body, so each consumer handles its item with the lock held, and the others wait for it";
    let lock_fix = "if the consumers share a `Mutex<Receiver>`, take the item in a statement of \
        its own, so that the guard is dropped before `handle`: \
        `let next = rx.lock().unwrap().recv(); let Ok(item) = next else { break };`. Or use \
        `crossbeam::channel`, whose Receiver every consumer can clone: no Mutex at all.";
    if peak == 1 && target > 1 && threads >= 2 {
        Diagnosis::new(format!(
            "in {what}, `handle` ran on {threads} threads but never more than {peak} at once, \
             {allowed}: the consumers took turns. Most likely they share a `Mutex<Receiver>` \
             and keep it locked while handling: {lock_held}.{}",
            record_picture(setup, r, Lanes::Consumers)
        ))
        .candidates([Cause::LockHeldWhileWaiting, Cause::Sequential])
        .advice(lock_fix)
        .fail();
    }
    if peak > 1 && peak < target {
        Diagnosis::new(format!(
            "in {what}, `handle` ran on {} and never more than {peak} at once, {allowed}: \
             fewer consumers ran than asked for. Something caps them: a thread pool (rayon \
             runs one thread per core), or a number of consumers other than \
             `consumers.get()`.{}",
            count(threads, "thread"),
            record_picture(setup, r, Lanes::Consumers)
        ))
        .cause(Cause::UnderUsed)
        .advice(
            "spawn exactly `consumers.get()` consumer threads of your own, all of them \
                   before joining any, each taking items with `for item in rx.iter()`.",
        )
        .fail();
    }
    if peak < target {
        Diagnosis::new(format!(
            "in {what}, `handle` ran on {} and never more than {peak} at once, {allowed}. \
             Either only one consumer thread takes items, or the consumers share a \
             `Mutex<Receiver>` and one of them keeps the lock while handling, so the others \
             never get a turn: {lock_held}; or the other consumers stopped before the channel \
             was closed.{}",
            count(threads, "thread"),
            record_picture(setup, r, Lanes::Consumers)
        ))
        .candidates([
            Cause::UnderUsed,
            Cause::LockHeldWhileWaiting,
            Cause::StoppedBeforeClosed,
        ])
        .advice(format!(
            "spawn `consumers.get()` consumer threads, all of them before joining any, \
                   each taking items with `for item in rx.iter()`; and {lock_fix}"
        ))
        .fail();
    }
    if let Some(miss) = r.miss {
        Diagnosis::new(format!(
            "in {what}, at one point only {} running while items were still to come, \
             though {target} may run at once (the grader waited {waited}): some consumers had \
             stopped taking items.{}",
            count(miss.inside, "`handle` call"),
            record_picture(setup, r, Lanes::Consumers)
        ))
        .candidates([Cause::StoppedBeforeClosed, Cause::UnderUsed])
        .advice(
            "keep every consumer receiving until the channel is closed: \
                   `for item in rx.iter()`.",
        )
        .fail();
    }
}

/// Runs one setup and judges everything the probe can see.
#[track_caller]
pub fn judge(setup: &Setup) -> Report {
    let (ended, report) = run(setup);
    // A thread per item also ends early: that is the threads' judge's to say.
    if report.handle_threads.len() <= setup.consumers {
        if let Some(quit) = report.quit {
            judge_quit(setup, &report, quit);
        }
    }
    let results = match ended {
        Ended::Returned(results) => results,
        Ended::Stuck => judge_stuck(setup, &report),
    };
    judge_threads(setup, &report);
    judge_items(setup, &report, &results);
    judge_bound(setup, &report);
    if setup.hold == Hold::Rendezvous {
        judge_concurrency(setup, &report);
    }
    report
}

/// A consumer thread ended while a source still had items: it stopped before
/// the channel was closed (a correct consumer's `rx.iter()` only ends once
/// every Sender is gone, so every producer has read its source to the end).
#[track_caller]
fn judge_quit(setup: &Setup, r: &Report, quit: Quit) -> ! {
    let why = if quit.no_producer_done {
        "No producer had finished then, so none could have sent a stop signal: the consumer \
         took a momentarily empty channel for a finished one (`try_recv` found it `Empty`, or \
         a `recv_timeout` ran out)"
    } else {
        "A source was used up by then, but not all of them: an empty channel, a timeout or one \
         producer's stop signal does not mean that every producer is done"
    };
    let pause = if quit.during_pause {
        " (the grader's slow source was pausing, with the channel empty but not closed)"
    } else {
        ""
    };
    Diagnosis::new(format!(
        "in {}, a consumer thread ended {} after the start{pause}, while the sources still \
         had items to send: it stopped before the channel was closed. {why}.{}",
        setup.describe(),
        fmt_duration(quit.at),
        record_picture(setup, r, Lanes::Both)
    ))
    .cause(Cause::StoppedBeforeClosed)
    .advice(
        "keep every consumer receiving until the channel is closed: `for item in rx.iter()`, \
         or `while let Ok(item) = rx.recv()`. `Empty` and a timeout only mean \"nothing right \
         now\"; the channel closes when every Sender is dropped, and only then is every \
         producer done.",
    )
    .fail();
}

/// The slow source found the pipeline stopped while it still had items.
#[track_caller]
pub fn judge_slow(setup: &Setup, r: &Report) {
    if r.drain_gave_up {
        Diagnosis::new(format!(
            "in {}, the slow source {} waited {} for the other sources to be used up and every \
         item pulled so far to be handled, in vain: the pipeline stopped moving while a \
         producer was still pulling.{}",
            setup.describe(),
            setup.slow.unwrap_or_default(),
            fmt_duration(PATIENCE),
            record_picture(setup, r, Lanes::Both)
        ))
        .candidates([Cause::StoppedBeforeClosed, Cause::Sequential])
        .advice(
            "run every producer on its own thread and keep the consumers receiving \
               (`for item in rx.iter()`) until the channel is closed.",
        )
        .fail();
    }
}

/// Which lanes a picture shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lanes {
    /// One per consumer: its `handle` calls.
    Consumers,
    /// One per source (from its first pull to its last), then the consumers.
    Both,
}

/// What the probe saw above what a correct pipeline does with the same
/// sources: lanes "consumer 1", ... (the threads that called `handle`, in
/// the order of their first call, then empty ones up to `consumers`), and
/// marks for the last pull and the last producer's exit.
fn record_picture(setup: &Setup, r: &Report, lanes: Lanes) -> String {
    let mut seen = Timeline::new("what your code did", Clock::Real);
    if lanes == Lanes::Both {
        for (i, span) in r.source_spans.iter().enumerate() {
            let spans: Vec<(Duration, Duration)> = span.iter().copied().collect();
            seen = seen.lane(&format!("source {i}"), &spans);
        }
    }
    let k = setup.consumers;
    seen = seen.numbered_by(
        "consumer",
        k,
        r.calls_seen.iter().map(|c| (c.thread, c.start, c.end)),
    );
    if let Some(at) = r.all_pulled_at {
        seen = seen.mark("all pulled", at);
    }
    if let Some(at) = r.producers_done_at {
        seen = seen.mark("producers done", at);
    }
    if let Some(quit) = r.quit {
        seen = seen.mark("a consumer ended", quit.at);
    }

    // A correct pipeline, on the same scale: every source read alongside the
    // consumers, the items dealt out to the consumers in rounds, `consumers`
    // calls at a time, the last pull during the last round (at most 8 rounds
    // are drawn: more would not show apart).
    let end = seen.end().max(r.ended_at).max(ms(1));
    let n = setup.total();
    let rounds = n.div_ceil(k);
    let drawn = rounds.clamp(1, 8);
    let slot = end / u32::try_from(drawn).unwrap_or(u32::MAX);
    let at = |round: usize| slot * u32::try_from(round).unwrap_or(u32::MAX);
    let mut correct = Timeline::new("what a correct pipeline does", Clock::Real);
    if lanes == Lanes::Both {
        for (i, &len) in setup.sources.iter().enumerate() {
            let spans = if len > 0 {
                vec![(Duration::ZERO, at(drawn - 1))]
            } else {
                vec![]
            };
            correct = correct.lane(&format!("source {i}"), &spans);
        }
    }
    for j in 0..k {
        let mut spans: Vec<(Duration, Duration)> = Vec::new();
        for i in (j..n).step_by(k) {
            let d = i / k * drawn / rounds;
            if spans.last() != Some(&(at(d), at(d + 1))) {
                spans.push((at(d), at(d + 1)));
            }
        }
        correct = correct.lane(&format!("consumer {}", j + 1), &spans);
    }
    if n > 0 {
        correct = correct
            .mark("all pulled", at(drawn - 1))
            .mark("producers done", at(drawn - 1));
    }
    grading::record_picture(&seen, &correct)
}
