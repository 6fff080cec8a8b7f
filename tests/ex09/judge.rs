//! The judges: what each part should have done, and what to say when it did
//! not, from what the probes saw.

use std::time::Duration;

use ex09::FIRST_PAGE;
use grading::{count, fmt_duration_exact as show, preview, secs, Cause, Diagnosis, OrFail};

use crate::picture;
use crate::pool::{Call, Cancelled, Users, NO_TABLE};
use crate::probe::{output, End, Lazy, Race, Walk, FETCH_TIME, SLACK};

/// "1 connection was", "2 connections were".
fn count_was(n: usize, noun: &str) -> String {
    format!("{} {}", count(n, noun), if n == 1 { "was" } else { "were" })
}

// ---------------------------------------------------------------------------
// Part 1: as_completed.

/// "as_completed(jobs of 3.0 s, 1.0 s and 2.0 s)", or a summary for many jobs.
fn describe_jobs(delays: &[Duration]) -> String {
    const SHOWN: usize = 6;
    let what = match delays {
        [] => "no jobs".to_string(),
        [d] => format!("one job of {}", show(*d)),
        _ if delays.len() > SHOWN => {
            let min = delays.iter().copied().min().unwrap_or_default();
            let max = delays.iter().copied().max().unwrap_or_default();
            format!("{} jobs of {} to {}", delays.len(), show(min), show(max))
        }
        _ => {
            let parts: Vec<String> = delays.iter().map(|&d| show(d)).collect();
            let (last, rest) = parts.split_last().expect("at least two delays");
            format!("jobs of {} and {last}", rest.join(", "))
        }
    };
    format!("as_completed({what})")
}

const ATTACH_INDEX: &str = "attach each job's index before the jobs race: \
    `jobs.into_iter().enumerate().map(|(i, job)| async move { (i, job.await) })`";

/// Every result names a real job and carries that job's own output.
#[track_caller]
fn judge_pairs(r: &Race) {
    let what = describe_jobs(&r.delays);
    let n = r.delays.len();
    if let Some(&(i, _, _)) = r.got.iter().find(|&&(i, _, _)| i >= n) {
        Diagnosis::new(format!(
            "{what} yielded index {i}, but there are only {}: the index is the job's position \
             in `jobs`.",
            count(n, "job")
        ))
        .advice(format!("{ATTACH_INDEX}."))
        .fail();
    }
    let Some((i, out, _)) = r.got.iter().find(|(i, out, _)| *out != output(*i)) else {
        return;
    };
    let outputs: Vec<&str> = r.got.iter().map(|(_, out, _)| out.as_str()).collect();
    if r.indices().into_iter().eq(0..r.got.len()) {
        Diagnosis::new(format!(
            "{what} yielded the indices {} with the outputs {}: the index counts the results in \
             the order they came out, instead of naming the job each one came from (its \
             position in `jobs`).",
            preview(&r.indices(), 6),
            preview(&outputs, 6)
        ))
        .advice(format!(
            "{ATTACH_INDEX}, not `.enumerate()` on the stream of results."
        ))
        .fail();
    }
    Diagnosis::new(format!(
        "{what} yielded ({i}, {out:?}), but job {i} returns {:?}: each output must come with the \
         index of its own job.",
        output(*i)
    ))
    .advice("pair each job with its index before the jobs race: `async move { (i, job.await) }`.")
    .fail();
}

/// The stream yields one result per job, then ends.
#[track_caller]
fn judge_complete(r: &Race) {
    let what = describe_jobs(&r.delays);
    let n = r.delays.len();
    let k = r.got.len();
    let mut seen = vec![false; n];
    for &(i, _, _) in &r.got {
        if seen[i] {
            Diagnosis::new(format!(
                "{what} yielded job {i}'s result twice: each job runs once and comes out once."
            ))
            .advice("put each job in the set once, and yield each output once.")
            .fail();
        }
        seen[i] = true;
    }
    match r.end {
        End::TooMany => Diagnosis::new(format!(
            "{what} yielded more than {n} results for {}.",
            count(n, "job")
        ))
        .advice("yield exactly one (index, output) per job, then end the stream.")
        .fail(),
        End::Stuck(t) if n == 0 => Diagnosis::new(format!(
            "{what} never ended: after {} of (virtual) time the grader stopped waiting. With no \
             jobs there is nothing to wait for. Most likely a window as wide as the list: \
             `buffer_unordered(jobs.len())` is `buffer_unordered(0)` here, which never takes a \
             job and never ends.{}",
            show(t),
            picture::record_race(r)
        ))
        .advice(
            "put the jobs in a `FuturesUnordered`, which ends at once when it is empty (or \
             use a window of at least 1).",
        )
        .fail(),
        End::Stuck(t) => Diagnosis::new(format!(
            "{what} yielded {k} of {n} results, then nothing more, and did not end: after {} of \
             (virtual) time the grader stopped waiting. The stream waits for something that \
             never comes.{}",
            show(t),
            picture::record_race(r)
        ))
        .advice(
            "end the stream (yield `None`) once every job is done; a `FuturesUnordered` \
             does that by itself.",
        )
        .fail(),
        End::Ended(_) => {
            let missing: Vec<usize> = (0..n).filter(|&i| !seen[i]).collect();
            if !missing.is_empty() {
                Diagnosis::new(format!(
                    "{what} ended after {k} of {n} results: jobs {} never came out.",
                    preview(&missing, 6)
                ))
                .advice("yield one (index, output) for every job before ending the stream.")
                .fail();
            }
        }
    }
}

/// Every job started at once, when the stream was first polled.
#[track_caller]
fn judge_concurrency(r: &Race) {
    r.track.overlapped(&picture::correct_race(r)).or_fail();
}

/// Results come out in completion order, each the moment its job finished.
#[track_caller]
fn judge_order(r: &Race) {
    let what = describe_jobs(&r.delays);
    let order = r.indices();
    // Every job started at 0 (judge_concurrency), so job i finished at delays[i].
    let done = |i: usize| r.delays[i];
    let in_completion_order = order.windows(2).all(|w| done(w[0]) <= done(w[1]));
    let last_out = r.got.last().map_or(Duration::ZERO, |&(_, _, at)| at);
    let all_at_the_end = r.got.iter().all(|&(_, _, at)| at + SLACK >= last_out);
    if !in_completion_order {
        let mut expected: Vec<usize> = (0..r.delays.len()).collect();
        expected.sort_by_key(|&i| (done(i), i));
        let how = match (order.iter().copied().eq(0..r.delays.len()), all_at_the_end) {
            (true, true) => format!(
                ", all of them at {}, once every job was done: in input order, like `join_all` \
                 (or `buffered`) gives them",
                show(last_out)
            ),
            (true, false) => ", in input order".to_string(),
            _ => ", not in the order the jobs finished".to_string(),
        };
        Diagnosis::new(format!(
            "{what} yielded the indices {}{how}. As completed means the quickest job first: \
             expected {}.{}",
            preview(&order, 8),
            preview(&expected, 8),
            picture::record_race(r)
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "yield each result as soon as its job finishes: a \
             `futures::stream::FuturesUnordered` yields in completion order.",
        )
        .fail();
    }
    if let Some(&(i, _, at)) = r.got.iter().find(|&&(i, _, at)| at > done(i) + SLACK) {
        if all_at_the_end && r.got.len() > 1 {
            Diagnosis::new(format!(
                "{what} yielded the results in completion order, but all of them at {}, when the \
                 slowest job was done: job {i} finished at {} and was held back until then \
                 (collected first, sorted, then yielded?).{}",
                show(last_out),
                show(done(i)),
                picture::record_race(r)
            ))
            .advice(
                "yield each result the moment its job finishes, don't collect them first: \
                 the stream of a `FuturesUnordered` does that.",
            )
            .fail();
        }
        Diagnosis::new(format!(
            "{what}: job {i} finished at {} but came out of the stream only at {}.{}",
            show(done(i)),
            show(at),
            picture::record_race(r)
        ))
        .advice("yield each result the moment its job finishes: a `FuturesUnordered`.")
        .fail();
    }
}

/// Every check of part 1: pairs, completeness, concurrency, order, the end.
#[track_caller]
pub fn judge_race(r: &Race) {
    judge_pairs(r);
    judge_complete(r);
    judge_concurrency(r);
    judge_order(r);
    let longest = r.delays.iter().copied().max().unwrap_or_default();
    if let End::Ended(t) = r.end {
        if t > longest + SLACK {
            Diagnosis::new(format!(
                "{} yielded every result, but the stream ended only at {}, after the last job \
                 finished at {}.{}",
                describe_jobs(&r.delays),
                show(t),
                show(longest),
                picture::record_race(r)
            ))
            .advice("end the stream as soon as the last job is done.")
            .fail();
        }
    }
}

/// Each result came out exactly when expected: (index, time).
#[track_caller]
pub fn judge_timeline(r: &Race, want: &[(usize, Duration)]) {
    let got: Vec<(usize, Duration)> = r.got.iter().map(|&(i, _, at)| (i, at)).collect();
    if got != want {
        Diagnosis::new(format!(
            "{} yielded (index, time) {got:?}, expected {want:?}.{}",
            describe_jobs(&r.delays),
            picture::record_race(r)
        ))
        .advice("run every job at once and yield each result when its job finishes.")
        .fail();
    }
}

// ---------------------------------------------------------------------------
// Part 2: paged.

fn show_next(next: Option<u32>) -> String {
    match next {
        Some(n) => format!("next: Some({n})"),
        None => "next: None".to_string(),
    }
}

/// The pages the stream fetched: the first page first, then each page's
/// `next`, nothing after the last page or after an error, one at a time.
#[track_caller]
pub fn judge_fetches(w: &Walk) {
    if w.peak > 1 {
        Diagnosis::new(format!(
            "paged(...) had {} fetches in flight at once (pages fetched: {}): it fetched pages \
             before the consumer needed them, and before the page naming them had arrived.{}",
            w.peak,
            preview(&w.fetched, 8),
            picture::record_walk(w)
        ))
        .cause(Cause::Unbounded)
        .advice(
            "fetch one page at a time, the one the previous page names in `next`, when its \
             items are needed: `futures::stream::unfold` runs one step per item asked for.",
        )
        .fail();
    }
    let Some(&first) = w.fetched.first() else {
        Diagnosis::new(format!(
            "paged(...) never called `fetch` (the stream yielded {}).",
            count(w.got.len(), "item")
        ))
        .advice("fetch page `FIRST_PAGE` when the first item is asked for, then follow `next`.")
        .fail();
    };
    if first != FIRST_PAGE {
        Diagnosis::new(format!(
            "paged(...) fetched page {first} first; the first page is `FIRST_PAGE` ({FIRST_PAGE})."
        ))
        .advice("start with `fetch(FIRST_PAGE)`.")
        .fail();
    }
    for pair in w.fetched.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        match w.next_of.get(&before).copied().flatten() {
            // The fetch of `before` failed, or there is no such page.
            None => Diagnosis::new(format!(
                "paged(...) went on after the error: the fetch of page {before} failed, and the \
                 stream then fetched page {after} (pages fetched: {}).{}",
                preview(&w.fetched, 8),
                picture::record_walk(w)
            ))
            .advice(
                "yield the error once, then end the stream: after an `Err`, fetch nothing \
                 more (e.g. set the next page to `None`).",
            )
            .fail(),
            Some(None) => Diagnosis::new(format!(
                "paged(...) fetched page {after} after page {before}, but page {before} was the \
                 last one (next: None).{}",
                picture::record_walk(w)
            ))
            .advice("end the stream after the page whose `next` is `None`.")
            .fail(),
            Some(Some(next)) => {
                if after != next {
                    Diagnosis::new(format!(
"paged(...) fetched page {after} after page {before}, but page {before} said \
 {}: follow `next`, don't count the pages yourself.{}",
                show_next(Some(next)),
                picture::record_walk(w)
))
                    .advice("fetch exactly the page the previous page names in `next`.")
                    .fail();
                }
            }
        }
    }
}

/// Whether the items came out page by page, each page last item first.
fn reversed_pages(w: &Walk) -> bool {
    let reversed: Vec<&String> = w
        .fetched
        .iter()
        .filter_map(|n| w.items_of.get(n))
        .flat_map(|items| items.iter().rev())
        .collect();
    let got: Vec<&String> = w.got.iter().filter_map(|r| r.as_ref().ok()).collect();
    got == reversed && reversed.windows(2).any(|p| p[0] != p[1])
}

/// What the stream yielded against what it should have.
#[track_caller]
pub fn judge_items(w: &Walk, want: &[Result<&str, &str>]) {
    let want: Vec<Result<String, String>> = want
        .iter()
        .map(|r| r.map(str::to_string).map_err(str::to_string))
        .collect();
    let got = &w.got;
    if let End::Stuck(t) = w.end {
        Diagnosis::new(format!(
            "paged(...) yielded {}, then nothing more, and did not end: after {} of (virtual) \
             time the grader stopped waiting.{}",
            preview(got, 8),
            show(t),
            picture::record_walk(w)
        ))
        .advice("end the stream (return `None` from the `unfold` step) after the last page.")
        .fail();
    }
    if got == &want {
        return;
    }
    let error_at = want.iter().position(Result::is_err);
    if let Some(e) = error_at {
        if got.len() > e && got[..=e] == want[..=e] {
            Diagnosis::new(format!(
                "paged(...) went on after the error: it yielded {} (expected {}, then the end).",
                preview(got, 4),
                preview(&want, 4)
            ))
            .advice("after yielding an `Err`, end the stream: fetch nothing more.")
            .fail();
        }
        if got.as_slice() == &want[..e] {
            Diagnosis::new(format!(
                "paged(...) yielded {} and ended without yielding the error: the fetch of page \
                 {} failed with {:?}, and the consumer must hear about it.",
                preview(got, 8),
                w.fetched.last().copied().unwrap_or(FIRST_PAGE),
                want[e].as_ref().err().map_or("", String::as_str)
            ))
            .cause(Cause::ErrorSwallowed)
            .advice(
                "yield the fetch's error as one `Err(error)` item, then end the stream (don't \
                 turn it into the end with `.ok()?` or `?`).",
            )
            .fail();
        }
    }
    if got.len() < want.len() && want.starts_with(got) {
        let last = w.fetched.last().copied().unwrap_or(FIRST_PAGE);
        if let Some(Some(Some(next))) = w.next_of.get(&last) {
            Diagnosis::new(format!(
                "paged(...) yielded {} and ended after page {last}, but page {last} said {}: \
                 the stream ended too early (an empty page is not the last page).",
                preview(got, 8),
                show_next(Some(*next))
            ))
            .advice(
                "end only after a page whose `next` is `None`; an empty page with a `next` \
                 just means: fetch on.",
            )
            .fail();
        }
    }
    if reversed_pages(w) {
        Diagnosis::new(format!(
            "paged(...) yielded {}, expected {}: every page's items came out last first: \
             most likely `Vec::pop`, which takes them from the end of the page.",
            preview(got, 8),
            preview(&want, 8)
        ))
        .cause(Cause::WrongOrder)
        .advice(
            "keep the rest of the page as `page.items.into_iter()` (a `std::vec::IntoIter`) and \
             take the next item with `next()`, which goes from the front.",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "paged(...) yielded {}, expected {}.",
        preview(got, 8),
        preview(&want, 8)
    ))
    .advice("yield `Ok(item)` for every item of every page in order, following `next`, then end.")
    .fail();
}

/// The laziness test: nothing before the first poll, page 2 only for item 4.
#[track_caller]
pub fn judge_lazy(lazy: &Lazy) {
    if !lazy.before_polling.is_empty() {
        Diagnosis::new(format!(
            "paged(...) fetched pages {:?} before anyone asked the stream for an item.{}",
            lazy.before_polling,
            picture::record_lazy(lazy)
        ))
        .advice(
            "fetch nothing until the stream is polled: build it with `futures::stream::unfold`.",
        )
        .fail();
    }
    let items: Vec<&Option<Result<String, String>>> =
        lazy.first_three.iter().map(|(item, _)| item).collect();
    let want = [Some(Ok("1a")), Some(Ok("1b")), Some(Ok("1c"))];
    let items_ok = items
        .iter()
        .zip(&want)
        .all(|(got, want)| got.as_ref().map(|r| r.as_deref()) == *want);
    let backwards = [Some(Ok("1c")), Some(Ok("1b")), Some(Ok("1a"))];
    let reversed = items
        .iter()
        .zip(&backwards)
        .all(|(got, want)| got.as_ref().map(|r| r.as_deref()) == *want);
    if !items_ok {
        let d = Diagnosis::new(format!(
            "paged(...) gave {items:?} as its first three items, expected the items of page 1: \
             \"1a\", \"1b\", \"1c\"{}.",
            if reversed {
                ": page 1 came out last item first (`Vec::pop` takes from the end)"
            } else {
                ""
            }
        ))
        .advice("yield `Ok(item)` for every item of page 1, in order, before anything else.");
        if reversed {
            d.cause(Cause::WrongOrder).fail();
        }
        d.fail();
    }
    if lazy.after_three != [1] {
        Diagnosis::new(format!(
"the consumer took 3 items (all of page 1) and then waited 10 s; by then paged(...) had \
 fetched pages {:?}: it fetched pages before they were needed. A lazy stream fetches \
 page 2 only when item 4 is asked for (a consumer that stops after 3 items never pays \
 for page 2).{}",
        lazy.after_three,
        picture::record_lazy(lazy)
))
        .advice(
            "fetch the next page inside the step that needs an item and finds the current page \
             used up: `futures::stream::unfold` runs a step only when an item is asked for.",
        )
        .fail();
    }
    let first_at = lazy.first_three[0].1;
    if first_at > FETCH_TIME + SLACK {
        Diagnosis::new(format!(
            "the first item came out {} after the consumer asked for it: one fetch takes 1.0 s.{}",
            show(first_at),
            picture::record_lazy(lazy)
        ))
        .advice("yield the items of page 1 as soon as page 1 arrives.")
        .fail();
    }
    let (fourth, waited) = &lazy.fourth;
    if !(fourth.as_ref().map(|r| r.as_deref()) == Some(Ok("2a")) && lazy.after_four == [1, 2]) {
        Diagnosis::new(format!(
"asked for item 4, paged(...) gave {fourth:?} (pages fetched: {:?}), expected Ok(\"2a\") \
 from page 2, fetched then.{}",
        lazy.after_four,
        picture::record_lazy(lazy)
))
        .advice("when page 1 is used up, fetch page 1's `next` and yield its first item.")
        .fail();
    }
    if *waited > FETCH_TIME + SLACK {
        Diagnosis::new(format!(
            "item 4 came {} after the consumer asked for it; fetching page 2 takes 1.0 s.{}",
            show(*waited),
            picture::record_lazy(lazy)
        ))
        .advice("fetch page 2 when item 4 is asked for, and yield it as soon as it arrives.")
        .fail();
    }
}

// ---------------------------------------------------------------------------
// Part 3: with_connection.

/// `f` ran once, holding the one connection checked out.
#[track_caller]
pub fn judge_called<T>(what: &str, call: &Call<T>) {
    if call.calls != 1 {
        Diagnosis::new(format!(
            "{what}: f ran {} times, expected once.",
            call.calls
        ))
        .advice("check a connection out, then call `f(&mut conn).await` once.")
        .fail();
    }
    if call.inside != 1 {
        Diagnosis::new(format!(
            "{what}: while f ran, the pool had {} connections checked out, expected 1 (the one f \
             was given).",
            call.inside
        ))
        .advice("check the connection out with `pool.acquire().await` and hand it to f.")
        .fail();
    }
}

#[track_caller]
pub fn judge_ok(call: &Call<Result<(usize, usize), String>>) {
    let what = "with_connection(pool of 1, f returning Ok)";
    judge_called(what, call);
    let result = &call.result;
    if !result.as_ref().is_ok_and(|(id, len)| *id == 0 && *len > 0) {
        Diagnosis::new(format!("{what} returned {result:?}; expected f's own Ok."))
            .advice("return what `f(&mut conn).await` returns.")
            .fail();
    }
    if call.after != 0 {
        Diagnosis::new(format!(
            "{what} returned, but the connection was still checked out (pool.checked_out() = \
             {}): it was never given back, and the pool has one connection fewer for everyone \
             else.",
            call.after
        ))
        .cause(Cause::ResourceLeaked)
        .advice(
            "give the connection back when f is done: `pool.release(conn)`, ideally in the \
             `Drop` of a guard that holds it, so that it happens on every path.",
        )
        .fail();
    }
}

#[track_caller]
pub fn judge_err(call: &Call<Result<usize, String>>) {
    let what = "with_connection(pool of 1, f returning Err)";
    judge_called(what, call);
    let result = &call.result;
    if *result != Err(NO_TABLE.to_string()) {
        Diagnosis::new(format!(
            "{what} returned {result:?}; expected f's own Err({NO_TABLE:?})."
        ))
        .advice("return what `f(&mut conn).await` returns, Ok or Err.")
        .fail();
    }
    if call.after != 0 {
        Diagnosis::new(format!(
            "after f returned Err, the connection was still checked out (pool.checked_out() = \
             {}): the error path left with_connection without giving it back. (If it goes back \
             after Ok, an early return with `?` skips the `release` below it.)",
            call.after
        ))
        .cause(Cause::ResourceLeaked)
        .advice(
            "give the connection back on every path: hold it in a guard whose `Drop` calls \
             `pool.release`, or release it before returning f's result, Ok or Err.",
        )
        .fail();
    }
}

#[track_caller]
pub fn judge_panicked(call: &Call<Result<Result<(), String>, ()>>) {
    let what = "with_connection(pool of 1, f that panics)";
    judge_called(what, call);
    if call.result.is_ok() {
        Diagnosis::new(format!(
            "{what} returned {:?} instead of letting f's panic through.",
            call.result.as_ref().ok()
        ))
        .advice("don't catch f's panic: a panic is a bug, and the caller must see it.")
        .fail();
    }
    if call.after != 0 {
        Diagnosis::new(format!(
            "f panicked (on purpose: the grader's f panics, the \"your code panicked\" line above \
             is that), and the connection never went back to the pool (pool.checked_out() = {} \
             afterwards). Code after `f(&mut conn).await` does not run when f panics.",
            call.after
        ))
        .cause(Cause::ResourceLeaked)
        .advice(
            "hold the connection in a guard whose `Drop` calls `pool.release(conn)`: destructors \
             run while a panic unwinds, and when the panicked future is dropped.",
        )
        .fail();
    }
}

#[track_caller]
pub fn judge_cancelled(r: &Cancelled) {
    let what = "with_connection(pool of 1, f that takes 5 s) under a 1 s timeout";
    if !r.started {
        Diagnosis::new(format!("{what}: f never started."))
            .advice("check a connection out, then run `f(&mut conn).await`.")
            .fail();
    }
    if !r.timed_out || r.finished {
        Diagnosis::new(format!(
"{what} returned before the timeout (f finished: {}), at {}: with_connection must wait \
 for f.{}",
        r.finished,
        show(r.at),
        picture::record_cancelled(r)
))
        .advice("return what `f(&mut conn).await` returns, once f is done.")
        .fail();
    }
    if r.after != 0 {
        Diagnosis::new(format!(
            "{what}: the timeout cancelled (dropped) the with_connection future while f was \
             waiting, and the connection never went back to the pool (pool.checked_out() = {} \
             afterwards). Code after an `.await` does not run when the future is dropped there: \
             a `pool.release(conn)` after `f(&mut conn).await` (or after a `catch_unwind` around \
             it) never happens.{}",
            r.after,
            picture::record_cancelled(r)
        ))
        .cause(Cause::ResourceLeaked)
        .advice(
            "hold the connection in a guard whose `Drop` calls `pool.release(conn)`: a dropped \
             future drops its locals, so the guard's `Drop` runs even when the future is \
             cancelled (Rust's `async with`).",
        )
        .fail();
    }
    if !(r.again == Some(Ok(0)) && r.after_again == 0) {
        Diagnosis::new(format!(
            "after a cancelled with_connection, the next with_connection on the same pool gave \
             {:?} (pool.checked_out() = {} afterwards), expected Some(Ok(0)) at once.{}",
            r.again,
            r.after_again,
            picture::record_cancelled(r)
        ))
        .advice("give the connection back on every path, cancellation included: a guard's `Drop`.")
        .fail();
    }
}

#[track_caller]
pub fn judge_users(r: &Users) {
    let what = "5 users, each holding a connection for 1.0 s, on a pool of 2";
    if r.clash.is_some() {
        Diagnosis::new(format!(
            "{what}: two users held connection {} at the same time.{}",
            r.clash.unwrap_or_default(),
            picture::record_users(r)
        ))
        .advice("give each user the connection `pool.acquire().await` returned, and only that one.")
        .fail();
    }
    if r.peak > 2 {
        Diagnosis::new(format!(
            "{what}: {} users held a connection at once, but the pool has only 2.{}",
            r.peak,
            picture::record_users(r)
        ))
        .cause(Cause::Unbounded)
        .advice("check connections out with `pool.acquire().await`.")
        .fail();
    }
    let Some(results) = &r.results else {
        if r.checked_out > r.inside {
            Diagnosis::new(format!(
                "{what}: after {} of (virtual) time only {} of the 5 users had finished; the \
                 others were still waiting for a connection, while {} checked out and no user \
                 was holding them: connections are not given back to the pool.{}",
                show(r.at),
                r.finished,
                count_was(r.checked_out - r.inside, "connection"),
                picture::record_users(r)
            ))
            .cause(Cause::ResourceLeaked)
            .advice(
                "give the connection back when f is done, on every path: a guard whose `Drop` \
                 calls `pool.release(conn)`.",
            )
            .fail();
        }
        Diagnosis::new(format!(
            "{what}: after {} of (virtual) time only {} of the 5 users had finished, and the \
             others never got through (connections checked out: {}).{}",
            show(r.at),
            r.finished,
            r.checked_out,
            picture::record_users(r)
        ))
        .advice("check a connection out with `pool.acquire().await`, run f, give it back.")
        .fail();
    };
    let want: Vec<Result<usize, String>> = (0..5).map(Ok).collect();
    if *results != want {
        Diagnosis::new(format!(
            "{what}: the users got {results:?}, expected {want:?}."
        ))
        .advice("return what each user's f returns.")
        .fail();
    }
    if r.at > secs(3) + SLACK {
        Diagnosis::new(format!(
            "{what} took {}: with 2 connections, 5 users of 1.0 s need 3.0 s (3 rounds), but they \
             got through only {} at a time.{}",
            show(r.at),
            r.peak,
            picture::record_users(r)
        ))
        .advice(
            "hold nothing but the connection while f runs, and give it back as soon as f is \
             done.",
        )
        .fail();
    }
    if r.checked_out != 0 {
        Diagnosis::new(format!(
            "{what}: every user finished, but {} still checked out afterwards.{}",
            count_was(r.checked_out, "connection"),
            picture::record_users(r)
        ))
        .cause(Cause::ResourceLeaked)
        .advice("give each connection back when its f is done.")
        .fail();
    }
}
