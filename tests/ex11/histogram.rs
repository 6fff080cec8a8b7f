//! `histogram`: running it, and judging the counts.
//!
//! The counts must be exact. When they fall short, the evidence tells the
//! causes apart: bytes that were never counted (the parts do not cover the
//! data) leave whole stretches of `data` out; counts that *replace* each
//! other (a thread's count `store`d instead of added) leave in every counter
//! exactly what one part of the data holds, whatever the thread count; and
//! additions lost to a `load`-then-`store` race leave neither pattern, only
//! counters short where threads collide.

use std::ops::Range;
use std::time::Duration;

use grading::{count, record_student_panic, secs, within, Cause, Diagnosis};

use crate::lab::nonzero;

/// Real time one `histogram` call may take (a correct one: well under 0.5 s,
/// even with the other core busy).
const WATCHDOG: Duration = secs(5);

/// The watchdog's diagnosis: which thread was stuck, and how, a stopped
/// call does not tell.
fn hung() -> Diagnosis {
    Diagnosis::new(
        "`histogram` never returned: a thread loops forever, or the threads wait for each other.",
    )
    .candidates([Cause::BusyLoop, Cause::LockOrder, Cause::ChannelNeverClosed])
    .advice("give every thread its own part of `data` and let it end after its last byte.")
}

pub fn count_bytes(data: &[u8]) -> [u64; 256] {
    let mut counts = [0; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    counts
}

/// Bytes from a small xorshift generator: the same every run.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Whether a call counted every byte exactly.
pub fn exact(data: &[u8], run: &Counted) -> bool {
    run.counts == count_bytes(data)
}

/// One call and its counts.
pub struct Counted {
    pub threads: usize,
    pub counts: [u64; 256],
}

/// Runs `histogram` under the watchdog; a panic is explained here.
#[track_caller]
pub fn run_histogram(data: &[u8], threads: usize) -> Counted {
    let shared = data.to_vec();
    let outcome = within(WATCHDOG, hung(), move || {
        grading::catch_panic(|| ex11::histogram(&shared, nonzero(threads)))
    });
    match outcome {
        Ok(counts) => Counted { threads, counts },
        Err(payload) => {
            let message = record_student_panic(payload.as_ref());
            if message.starts_with("NOT STARTED") {
                panic!("\n{message}\n");
            }
            Diagnosis::new(format!(
                "{}\nThat was in histogram({}, threads = {threads}).",
                message.lines().next().unwrap_or_default(),
                count(data.len(), "byte")
            ))
            .advice(if threads > data.len() {
                "every thread gets a part of `data`, some maybe an empty one: here there are \
                 more threads than bytes, so `data.len() / threads` is 0, and `chunks(0)` \
                 panics. Round the part size up, and make it at least 1: \
                 `data.len().div_ceil(threads).max(1)`."
            } else {
                "read the panic above (file and line): every thread gets a part of `data` \
                 (`data.chunks(data.len().div_ceil(threads).max(1))`) and adds its counts to \
                 the shared counters."
            })
            .fail();
        }
    }
}

/// The ways a student may cut `len` bytes into `threads` parts: the ranges.
/// `1 byte`, `100 003 bytes`.
fn bytes(n: u64) -> String {
    count(usize::try_from(n).unwrap_or(usize::MAX), "byte")
}

fn splits(len: usize, threads: usize) -> Vec<Vec<Range<usize>>> {
    let up = len.div_ceil(threads).max(1);
    let down = len / threads;
    let by_chunks = (0..len).step_by(up).map(|s| s..(s + up).min(len)).collect();
    // `len / threads` each, the last part taking the rest.
    let rest_last = (0..threads)
        .map(|t| {
            t * down..if t + 1 == threads {
                len
            } else {
                (t + 1) * down
            }
        })
        .collect();
    // Boundaries at `len * t / threads`.
    let spread = (0..threads)
        .map(|t| len * t / threads..len * (t + 1) / threads)
        .collect();
    vec![by_chunks, rest_last, spread]
}

/// The split under which every counter of `run` holds exactly what a
/// single part contributes (not the sum of several), if there is one: what
/// counts that replace each other leave behind. Returns, for each byte
/// value, the part whose count it holds.
fn single_parts(data: &[u8], run: &Counted) -> Option<Vec<usize>> {
    splits(data.len(), run.threads)
        .into_iter()
        .find_map(|parts| {
            let counts: Vec<[u64; 256]> = parts
                .iter()
                .map(|r| count_bytes(&data[r.clone()]))
                .collect();
            (0..256)
                .map(|b| counts.iter().position(|c| c[b] == run.counts[b]))
                .collect()
        })
}

/// Proof that the threads' counts replaced each other: with 3 parts or
/// more, every counter holds one part's count, and the most frequent byte
/// value, which every part holds, was counted (so the counts are not just
/// zeros). With two parts, "one part's count" is also "one part never
/// counted". Returns an example: (byte value, its part, the parts).
fn overwritten(data: &[u8], run: &Counted) -> Option<(usize, usize, usize)> {
    if run.threads < 3 {
        return None;
    }
    let want = count_bytes(data);
    let common = (0..256).max_by_key(|&b| want[b])?;
    let part = single_parts(data, run)?;
    let parts = splits(data.len(), run.threads)
        .into_iter()
        .find(|p| p.iter().all(|r| data[r.clone()].contains(&(common as u8))))?
        .len();
    (run.counts[common] > 0).then_some((common, part[common], parts))
}

/// The counts of every run must be exact; the first wrong run is explained,
/// with the evidence of all the runs.
#[track_caller]
pub fn judge_counts(data: &[u8], runs: &[Counted]) {
    let want = count_bytes(data);
    let Some(first) = runs.iter().find(|r| r.counts != want) else {
        return;
    };
    let len = data.len();
    let len64 = len as u64;
    let call = |r: &Counted| format!("histogram({}, threads = {})", count(len, "byte"), r.threads);
    let total = |r: &Counted| r.counts.iter().sum::<u64>();
    let example = |r: &Counted| {
        let b = (0..256)
            .find(|&b| r.counts[b] != want[b])
            .expect("a difference");
        format!(
            "byte value {b} occurs {} times, your count is {}",
            want[b], r.counts[b]
        )
    };
    let what = call(first);
    if total(first) > len64 {
        Diagnosis::new(format!(
            "{what} counted {} in all, {} more than there are ({}): some bytes were \
             counted twice.",
            bytes(total(first)),
            total(first) - len64,
            example(first)
        ))
        .advice(
            "give the threads parts of `data` that do not overlap (`data.chunks(part)`), \
             and count each byte once.",
        )
        .fail();
    }
    let short = |r: &Counted| (0..256).all(|b| r.counts[b] <= want[b]);
    if !short(first) {
        Diagnosis::new(format!(
            "{what}: {} (in all you counted {} of {len} bytes).",
            example(first),
            total(first)
        ))
        .advice("for every byte `b` of `data`, add one to counter number `b as usize`.")
        .fail();
    }
    // Counts replaced by one thread's share, in a run that proves it.
    if let Some((r, (b, part, parts))) = runs
        .iter()
        .filter(|r| r.counts != want)
        .find_map(|r| Some((r, overwritten(data, r)?)))
    {
        Diagnosis::new(format!(
            "{} counted {} of {}, about one part's worth: in every counter, the \
             count is exactly what a single one of the {parts} parts of `data` holds, never \
             the sum of several (e.g. byte value {b}: {} in all, your count {} is its count in \
             part {} alone). So the parts covered the data, but the threads' counts replaced \
             each other instead of adding up: a thread that counts into a local array and then \
             `store`s (or `swap`s) its counts into the shared counters overwrites what the \
             threads before it put there.",
            call(r),
            total(r),
            count(len, "byte"),
            want[b],
            r.counts[b],
            part + 1
        ))
        .cause(Cause::LostUpdate)
        .advice(
            "add each thread's counts to the shared ones: \
             `counts[b].fetch_add(local[b], Ordering::Relaxed)` (or `fetch_add(1, ...)` for \
             every byte).",
        )
        .fail();
    }
    let lost = len64 - total(first);
    let m = usize::try_from(lost).expect("fits");
    let missing: Vec<u64> = (0..256).map(|b| want[b] - first.counts[b]).collect();
    let was = if m == 1 { "was" } else { "were" };
    let stretch = if count_bytes(&data[len - m..])[..] == missing[..] {
        Some("last")
    } else if count_bytes(&data[..m])[..] == missing[..] {
        Some("first")
    } else {
        None
    };
    let replaced = single_parts(data, first).is_some();
    match (stretch, replaced) {
        (Some(end), false) => Diagnosis::new(format!(
            "{what} counted {}: the {end} {} {was} never counted ({}), and every \
             other byte was.",
            bytes(total(first)),
            count(m, "byte"),
            example(first)
        ))
        .advice(
            "split `data` so that the parts cover all of it: `len / threads` rounds \
             down and leaves the rest over; round up (`data.len().div_ceil(threads)`), \
             use `data.chunks(part)`, whose last part may be shorter, and give every \
             part a thread.",
        )
        .fail(),
        (Some(end), true) => Diagnosis::new(format!(
            "{what} counted {}: the missing counts are exactly those of the {end} {} \
             ({}). That is also what one thread's part holds, so this run cannot tell \
             which: either those bytes were never counted (the parts do not cover the data), \
             or the threads' counts replaced each other instead of adding up (a count \
             `store`d into the shared counters, which overwrites the counts before it).",
            bytes(total(first)),
            count(m, "byte"),
            example(first)
        ))
        .candidates([Cause::LostUpdate])
        .advice(
            "make the parts cover all of `data` \
             (`data.chunks(data.len().div_ceil(threads).max(1))`, one thread per part), \
             and add to the shared counters with `fetch_add`, never `store`.",
        )
        .fail(),
        (None, true) => Diagnosis::new(format!(
            "{what} counted {} ({}): every counter holds exactly what one part of \
             `data` holds, never the sum of several. Most likely the threads' counts \
             replaced each other (a count `store`d into the shared counters overwrites the \
             counts before it); or some parts were never counted.",
            bytes(total(first)),
            example(first)
        ))
        .candidates([Cause::LostUpdate])
        .advice(
            "add to the shared counters with `fetch_add`, never `store`; give every part \
             of `data` a thread.",
        )
        .fail(),
        (None, false) => {}
    }
    Diagnosis::new(format!(
        "{what} counted {}: {lost} counts were lost ({}), and the missing counts are \
         neither a stretch of `data` left out nor whole parts replaced by others: they are \
         missing where the threads add to the same counters at once. A `load` followed by a \
         `store` loses one of two additions that meet: both threads read the same old value.",
        bytes(total(first)),
        example(first)
    ))
    .cause(Cause::LostUpdate)
    .advice("add with one indivisible step: `counts[b].fetch_add(1, Ordering::Relaxed)`.")
    .fail();
}
