//! The judges: what each URL's slot should hold, and why it does not.

use std::fmt::Debug;
use std::time::Duration;

use ex03::FetchError;
use grading::{
    cut, fmt_duration, payload_text, preview_with, reached_todo, record_student_panic, Cause,
    Clock, Diagnosis, Timeline,
};

use crate::server::{Observed, Outcome, Release, Target, When, HOLD};

/// What one URL's slot should hold.
#[derive(Debug, Clone)]
pub enum Want<T> {
    Is(T),
    Timeout,
    Status(u16),
    /// A network error, whatever its text.
    Network,
    /// A network error whose text names this cause (compared on letters and
    /// digits in lower case, so that `ConnectionRefused` counts as well).
    NetworkSaying(&'static str),
    Body,
}

/// Letters and digits only, in lower case: `Connection refused` and
/// `ConnectionRefused` both become `connectionrefused`.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl<T: Debug> Want<T> {
    fn show(&self) -> String {
        match self {
            Want::Is(v) => format!("Ok({})", cut(&format!("{v:?}"), 40)),
            Want::Timeout => "Err(Timeout)".into(),
            Want::Status(c) => format!("Err(Status({c}))"),
            Want::Network => "Err(Network(..))".into(),
            Want::NetworkSaying(cause) => format!("Err(Network(\"…{cause}…\"))"),
            Want::Body => "Err(Body(..))".into(),
        }
    }

    fn accepts(&self, got: &Result<T, FetchError>) -> bool
    where
        T: PartialEq,
    {
        match (self, got) {
            (Want::Is(want), Ok(got)) => want == got,
            (Want::Timeout, Err(FetchError::Timeout)) => true,
            (Want::Status(want), Err(FetchError::Status(got))) => want == got,
            (Want::Network, Err(FetchError::Network(_))) => true,
            (Want::NetworkSaying(cause), Err(FetchError::Network(text))) => {
                squash(text).contains(&squash(cause))
            }
            (Want::Body, Err(FetchError::Body(_))) => true,
            _ => false,
        }
    }
}

fn show<T: Debug>(r: &Result<T, FetchError>) -> String {
    match r {
        Ok(v) => format!("Ok({})", cut(&format!("{v:?}"), 40)),
        Err(FetchError::Network(m)) => format!("Err(Network({:?}))", cut(m, 70)),
        Err(FetchError::Body(m)) => format!("Err(Body({:?}))", cut(m, 50)),
        Err(e) => format!("Err({e:?})"),
    }
}

/// At most a handful of results, each kept short.
fn show_all<T: Debug>(results: &[Result<T, FetchError>]) -> String {
    preview_with(results, 5, show)
}

/// A word about proxies, if the environment sets one: reqwest honours them.
fn proxy_note() -> String {
    for var in ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] {
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            return format!(
                "\n(Note: {var} is set in your environment and reqwest sends requests through \
                 it, even to 127.0.0.1; if the reference solution fails too, run the tests with \
                 NO_PROXY=127.0.0.1.)"
            );
        }
    }
    String::new()
}

impl<T> Observed<T> {
    /// When each URL's request was at the server, above what a correct
    /// solution does: every request at once, each answered at once (a held
    /// one once all have arrived), a silent one given up after
    /// `per_request`. A lane per URL (its path; raw URLs, which fail
    /// without reaching the server, stay empty), from the request's arrival
    /// to its answer (a silent URL's: until the client closed the
    /// connection); an end the server did not see before the call ended is
    /// drawn as unknown.
    pub fn record_picture(&self) -> String {
        let end = match self.outcome {
            Outcome::StillWaiting => self.deadline,
            _ => self.elapsed,
        };
        let tick = Duration::from_micros(1);
        let mut seen = Timeline::new("what your code did", Clock::Real);
        let mut correct = Timeline::new("what a correct solution does", Clock::Real);
        let mut correct_end = Duration::ZERO;
        let silent = self.targets.iter().any(|t| t.when() == Some(When::Silent));
        for (i, (target, server)) in self.targets.iter().zip(&self.seen).enumerate() {
            let label = match target {
                Target::Server(e) => e.path.to_string(),
                Target::Raw { .. } => format!("url {}", i + 1),
            };
            let spans: Vec<(Duration, Option<Duration>)> = server
                .iter()
                .filter_map(|s| {
                    let from = s.arrived?;
                    let until = match target.when() {
                        Some(When::Silent) => s.closed,
                        _ => s.answered,
                    };
                    Some((from, until.map(|t| t.max(from + tick))))
                })
                .collect();
            seen = seen.lane_partly_seen(&label, &spans, end);
            let spans = match target.when() {
                Some(When::Silent) => vec![(Duration::ZERO, self.per_request)],
                Some(_) => vec![(Duration::ZERO, tick)],
                None => Vec::new(),
            };
            correct_end = spans.iter().map(|s| s.1).fold(correct_end, Duration::max);
            correct = correct.lane(&label, &spans);
        }
        if silent {
            seen = seen.mark("per_request", self.per_request);
            correct = correct.mark("per_request", self.per_request);
        }
        if let Some(stall) = self.stall {
            seen = seen.mark("server stopped holding", stall.at);
        }
        let seen = match self.outcome {
            Outcome::StillWaiting => seen.mark("gave up", end),
            _ => seen.mark("returned", end),
        };
        // Without a silent URL a correct call returns within milliseconds:
        // too soon to mark on this scale.
        let correct = if silent {
            correct.mark("returned", correct_end)
        } else {
            correct
        };
        grading::record_picture(&seen, &correct)
    }
}

impl<T: Debug> Observed<T> {
    pub fn listing(&self) -> String {
        let mut text = String::new();
        for (i, target) in self.targets.iter().enumerate() {
            text.push_str(&format!("\n  {}. {}", i + 1, target.label()));
        }
        if text.is_empty() {
            text.push_str(" (none)");
        }
        text
    }

    /// The results, or a failure explaining why there are none.
    pub fn results(&self) -> &[T] {
        let what = self.what;
        let listing = self.listing();
        match &self.outcome {
            Outcome::Returned(results) => {
                if results.len() != self.targets.len() {
                    Diagnosis::new(format!(
                        "{what} returned {} results for {} URLs:{listing}",
                        results.len(),
                        self.targets.len()
                    ))
                    .advice("return exactly one result per URL, in the order of `urls`.")
                    .fail();
                }
                results
            }
            Outcome::Panicked(payload) => {
                // Records the fact (not started, or panicked) for this test.
                let explained = record_student_panic(payload.as_ref());
                if reached_todo(payload.as_ref()) {
                    Diagnosis::new(explained).fail();
                }
                let message = cut(payload_text(payload.as_ref()), 160);
                let bad = self
                    .targets
                    .iter()
                    .any(|t| matches!(t.when(), None | Some(When::Silent)));
                if bad {
                    Diagnosis::new(format!(
                        "{what} panicked on these URLs:{listing}\nPanic: {message}\nOne failing \
                         URL took the whole call down: the results of the good URLs were lost too."
                    ))
                    .advice(
                        "handle each request's error where it happens: turn it into \
                         `Err(FetchError::...)` in that URL's own slot (`match` or `map_err`); \
                         never `unwrap`/`expect` a request.",
                    )
                    .fail();
                }
                Diagnosis::new(format!(
                    "{what} panicked on these URLs:{listing}\nPanic: {message}"
                ))
                .advice(
                    "read the panic location printed above; return errors as values \
                     (`Err(FetchError::...)`) instead of unwrapping them.",
                )
                .fail();
            }
            Outcome::StillWaiting => self.still_waiting(&listing),
        }
    }

    fn still_waiting(&self, listing: &str) -> ! {
        let what = self.what;
        let (waited, per) = (fmt_duration(self.deadline), fmt_duration(self.per_request));
        // A silent URL whose connection the client still held open when the
        // test gave up: that request had no time limit of per_request.
        let waiting_on = self
            .targets
            .iter()
            .zip(&self.seen)
            .find_map(|(t, s)| match t {
                Target::Server(e) if e.when == When::Silent => {
                    s.as_ref()
                        .filter(|s| s.arrived.is_some() && s.closed.is_none())?;
                    Some(e.path)
                }
                _ => None,
            });
        if let Some(path) = waiting_on {
            Diagnosis::new(format!(
                "{what} was still waiting after {waited} with per_request = {per}, for these \
                 URLs:{listing}\nIts request to {path}, which never answers, was still open \
                 when the test gave up: that request has no time limit of per_request.{}",
                self.record_picture()
            ))
            .cause(Cause::NoTimeout)
            .advice(
                "give every request its own time limit: `client.get(url).timeout(per_request)`, \
                 or `tokio::time::timeout(per_request, request)` around each one.",
            )
            .fail();
        }
        if self.targets.is_empty() {
            Diagnosis::new(format!(
                "{what}(&[], ..) was still waiting after {waited}, with no URL to fetch: it waits \
                 for something that never happens. A limit computed from the number of URLs \
                 does that: `buffered(urls.len())` or `buffer_unordered(urls.len())` with a \
                 limit of 0 never starts anything, so the stream never ends."
            ))
            .advice(
                "`futures::future::join_all` needs no limit; with `buffered(n)`, make sure n is \
                 at least 1 (`urls.len().max(1)`).",
            )
            .fail();
        }
        let answered = self
            .seen
            .iter()
            .flatten()
            .filter(|s| s.answered.is_some())
            .count();
        let requests = self.seen.iter().flatten().count();
        Diagnosis::new(format!(
            "{what} was still waiting after {waited} for these URLs:{listing}\nThe server had \
             answered {answered} of the {requests} requests to it (a correct solution returns \
             as soon as the last answer is in).{}",
            self.record_picture()
        ))
        .candidates([Cause::NoTimeout, Cause::BusyLoop, Cause::NeverJoined])
        .advice(
            "build every request future, then await them all together with \
             `futures::future::join_all`, and return their results; give each request \
             `.timeout(per_request)`.",
        )
        .fail();
    }

    /// Every endpoint of the server got exactly one GET.
    pub fn check_one_get_each(&self) {
        let _ = self.results();
        let what = self.what;
        for (target, calls) in self.targets.iter().zip(self.calls()) {
            let Some(n) = calls else { continue };
            let label = target.label();
            if n == 0 {
                Diagnosis::new(format!(
                    "{what} never sent a GET to {label}.\nThe test server saw no GET request \
                     for that URL (a request with another method does not count)."
                ))
                .advice("send one `client.get(url)` per URL, to exactly the URL given.")
                .fail();
            }
            if n != 1 {
                Diagnosis::new(format!(
                    "{what} sent {n} GET requests to {label}; expected exactly one per URL."
                ))
                .advice("request each URL once: no retries, no second request to read the body.")
                .fail();
            }
        }
    }
}

const SHEET: &str = "see the exercise sheet (`cargo doc -p ex03 --no-deps --open`) for which \
                     error is which.";

const CAUSE_CHAIN: &str = "keep the whole chain of causes in the text: start from \
    `e.to_string()` and append each `std::error::Error::source()` in turn (`let mut cause = \
    e.source(); while let Some(c) = cause { text += &format!(\": {c}\"); cause = c.source(); }`).";

/// Explains why `got` is not `want` for one slot: (what it means, what to try).
fn diagnose<T: Debug>(
    what: &str,
    target: &Target,
    want: &Want<T>,
    got: &Result<T, FetchError>,
) -> (String, String) {
    use FetchError as E;
    let status_of_target = match target {
        Target::Server(e) => Some(e.status),
        Target::Raw { .. } => None,
    };
    match (want, got) {
        (Want::Is(_), Err(E::Status(c))) if what == "fetch_statuses" => (
            format!(
                "A {c} is an answer, not a failure: the server did reply, and its status is \
                 what fetch_statuses reports."
            ),
            "return `Ok(response.status().as_u16())` for every response; don't call \
             `error_for_status()` or check `is_success()` in fetch_statuses."
                .into(),
        ),
        (Want::Is(_), Err(E::Network(_))) => (
            format!("The request to the test server failed.{}", proxy_note()),
            "send a plain GET to exactly the URL given (`client.get(url).send().await`); only \
             real failures are errors."
                .into(),
        ),
        (Want::Is(_), Err(E::Timeout)) => (
            "This endpoint answers well within per_request, yet the request timed out: is \
             your time limit shorter than per_request, or shared by all requests?"
                .into(),
            "give each request `per_request` itself: `.timeout(per_request)` on the request."
                .into(),
        ),
        (Want::Is(_), Err(E::Body(_))) => (
            "The body is a JSON object with a string \"title\", yet it was rejected.".into(),
            "decode the body as JSON (`response.json::<T>()`) and take its string field \"title\"."
                .into(),
        ),
        (Want::Is(w), Ok(g)) if format!("{g:?}") == format!("{:?}", format!("{w:?}")) => (
            "That is the title still wrapped in its JSON quotes: `serde_json::Value`'s \
             `to_string()` writes the value back as JSON."
                .into(),
            "take the text itself: `value[\"title\"].as_str()` (None when it is not a string), \
             or deserialize into a struct with a `title: String` field."
                .into(),
        ),
        (Want::Is(_), Ok(_)) if what == "fetch_statuses" && status_of_target != Some(404) => (
            "The test server answers 404 only to requests it does not expect, e.g. with another \
             method or path."
                .into(),
            "send a GET (`client.get(url)`) to exactly the URL given, and report \
             `response.status().as_u16()`."
                .into(),
        ),
        (Want::Is(_), Ok(_)) => (
            "That is not the \"title\" field of the JSON body.".into(),
            "return the body's field \"title\" as it is.".into(),
        ),
        (Want::Timeout, Err(E::Network(_))) => (
            "A request that runs out of time must be reported as Err(FetchError::Timeout), not \
             as a network error."
                .into(),
            "check `e.is_timeout()` before anything else when sorting reqwest's errors (or map \
             tokio's `Elapsed` to `FetchError::Timeout`)."
                .into(),
        ),
        (Want::Network | Want::NetworkSaying(_), Err(E::Timeout)) => (
            "This URL fails at once, without waiting: that is a network error, not a timeout."
                .into(),
            "use `FetchError::Timeout` only when `e.is_timeout()`; other request errors are \
             `FetchError::Network(..)`."
                .into(),
        ),
        (Want::NetworkSaying(cause), Err(E::Network(_))) => (
            format!(
                "Right kind, but the text does not say what happened: it lacks \"{cause}\". \
                 reqwest keeps the cause in the error's chain of sources; its `Display` \
                 (`e.to_string()`) shows only the outermost error."
            ),
            CAUSE_CHAIN.into(),
        ),
        (Want::Network | Want::NetworkSaying(_), _) => (
            "A refused connection or an invalid URL is Err(FetchError::Network(..)).".into(),
            "map the error of `send()` to `FetchError::Network(..)` (after checking \
             `e.is_timeout()`)."
                .into(),
        ),
        (Want::Status(c), Err(E::Network(_))) => (
            format!(
                "The server answered {c}: that is Err(FetchError::Status({c})), not a network \
                 error. (`error_for_status()` turns the status into a `reqwest::Error`, which \
                 then looks like any other failure.)"
            ),
            "check `response.status().is_success()` yourself, or take the code back from the \
             error: `e.status()` is `Some(status)` for an error made by `error_for_status()`."
                .into(),
        ),
        (Want::Status(c), Ok(_)) | (Want::Status(c), Err(E::Body(_))) => (
            format!(
                "The server answered {c}, and fetch_titles still read the body: a {c} page is \
                 not the JSON object you asked for. Check the status before reading the body."
            ),
            "if `!response.status().is_success()`, return \
             `Err(FetchError::Status(response.status().as_u16()))`."
                .into(),
        ),
        (Want::Body, Ok(_)) => (
            "This body has no string \"title\", so there is no title to return.".into(),
            "deserialize into a struct with a `title: String` field (serde fails when it is \
             missing or not a string) and map that failure to `FetchError::Body`."
                .into(),
        ),
        (Want::Body, Err(E::Network(_))) => (
            "The server answered 200: the conversation worked, but the body is not a JSON \
             object with a string \"title\". That is Err(FetchError::Body(..)), not Network."
                .into(),
            "map decoding failures (`e.is_decode()` for `response.json()`, or serde_json's \
             error) to `FetchError::Body(..)`."
                .into(),
        ),
        _ => (String::new(), SHEET.into()),
    }
}

/// Every slot for which `judged(want, got)` holds has what it should.
pub fn judge_slots<T: Debug + PartialEq>(
    obs: &Observed<Result<T, FetchError>>,
    want: &[Want<T>],
    judged: impl Fn(&Want<T>, &Result<T, FetchError>) -> bool,
) {
    let got = obs.results();
    let (what, n) = (obs.what, got.len());
    let wrong = |(w, g): (&Want<T>, &Result<T, FetchError>)| judged(w, g) && !w.accepts(g);
    if want.iter().zip(got).any(wrong) && is_permutation(want, got) {
        // Every result is there, in another slot: that is the cause.
        fail_order(obs, want);
    }
    for (i, ((w, g), target)) in want.iter().zip(got).zip(&obs.targets).enumerate() {
        if !wrong((w, g)) {
            continue;
        }
        let (meaning, hint) = diagnose(what, target, w, g);
        let meaning = if meaning.is_empty() {
            String::new()
        } else {
            format!("\n{meaning}")
        };
        Diagnosis::new(format!(
            "{what}: URL {} of {n}, {}, gave {}; expected {}.{meaning}\nAll results: {}",
            i + 1,
            target.label(),
            show(g),
            w.show(),
            show_all(got)
        ))
        .advice(hint)
        .fail();
    }
}

/// Judges every slot.
pub fn all<T>(_: &Want<T>, _: &Result<T, FetchError>) -> bool {
    true
}

/// Whether each result matches a different slot's expectation (greedy: enough here).
fn is_permutation<T: Debug + PartialEq>(want: &[Want<T>], got: &[Result<T, FetchError>]) -> bool {
    let mut used = vec![false; want.len()];
    got.iter().all(|g| {
        let free = (0..want.len()).find(|&j| !used[j] && want[j].accepts(g));
        free.map(|j| used[j] = true).is_some()
    })
}

/// Fails only if the results are the right ones in another order: the order
/// the answers were sent in, or any other.
pub fn judge_order<T: Debug + PartialEq>(obs: &Observed<Result<T, FetchError>>, want: &[Want<T>]) {
    let got = obs.results();
    let in_input_order = want.iter().zip(got).all(|(w, g)| w.accepts(g));
    if !in_input_order && is_permutation(want, got) {
        fail_order(obs, want);
    }
}

/// The results are right, but not each in its URL's slot.
fn fail_order<T: Debug + PartialEq>(obs: &Observed<Result<T, FetchError>>, want: &[Want<T>]) -> ! {
    let got = obs.results();
    // The order in which the server sent the answers (URLs that got none, or
    // never reached it, last, in input order).
    let mut by_answer: Vec<(Option<Duration>, &Want<T>)> = obs
        .seen
        .iter()
        .zip(want)
        .map(|(s, w)| (s.as_ref().and_then(|s| s.answered), w))
        .collect();
    by_answer.sort_by_key(|&(at, _)| (at.is_none(), at));
    let in_completion_order = by_answer.iter().zip(got).all(|((_, w), g)| w.accepts(g));
    let wanted: Vec<String> = want.iter().map(Want::show).collect();
    let reversed = obs.order == Release::Reversed && obs.stall.is_none();
    let how = if in_completion_order && reversed {
        "in the order the server sent the answers (it sent them in reverse input order, each \
         once the one before had been read)"
    } else if in_completion_order {
        "in the order the server sent the answers"
    } else {
        "the right results in the wrong order"
    };
    Diagnosis::new(format!(
        "{} returned {}, {how}; expected the input order [{}].\nThe URLs, in input order:{}{}",
        obs.what,
        show_all(got),
        wanted.join(", "),
        obs.listing(),
        obs.record_picture()
    ))
    .advice(
        "keep one slot per URL in input order: `join_all` does that (a `JoinSet` or \
         `FuturesUnordered` yields in completion order: carry the index along and sort by it).",
    )
    .cause(Cause::WrongOrder)
    .fail();
}

/// Every URL is held until all their requests have arrived: a concurrent
/// client is answered at once, any other leaves the server waiting (a stall).
pub fn judge_concurrency<T: Debug>(obs: &Observed<T>) {
    let _ = obs.results();
    let Some(stall) = obs.stall else {
        return;
    };
    let n = obs.targets.len();
    let hold = fmt_duration(HOLD);
    let k = stall.arrived;
    if k <= 1 {
        Diagnosis::new(format!(
            "{} sent {} request of {n} and then waited for its answer: the server held that \
             answer until every URL's request had arrived, and for {hold} no other request \
             came. The requests ran one after another (each awaited before the next was \
             sent), where all at once they are answered together.{}",
            obs.what,
            if k == 1 { "one" } else { "no" },
            obs.record_picture()
        ))
        .cause(Cause::Sequential)
        .advice(
            "start every request before awaiting any: build one future per URL, then \
             `futures::future::join_all(futures).await`.",
        )
        .fail();
    }
    Diagnosis::new(format!(
        "{} sent {k} of its {n} requests and then waited: the server held their answers until \
         every URL's request had arrived, and for {hold} no other request came. Some requests \
         waited for others to finish, where all at once they are answered together.{}",
        obs.what,
        obs.record_picture()
    ))
    .candidates([Cause::Batches, Cause::UnderUsed])
    .advice(
        "run all requests at the same time with `futures::future::join_all` (no limit on how \
         many run at once, no await inside the loop).",
    )
    .fail();
}

/// The timeout tests: the silent URL gave up after about `per_request`, and
/// only it.
pub fn judge_timeouts<T: Debug + PartialEq>(
    obs: &Observed<Result<T, FetchError>>,
    want: &[Want<T>],
) {
    let got = obs.results();
    let what = obs.what;
    let per = fmt_duration(obs.per_request);
    let took = fmt_duration(obs.elapsed);
    let all_timed_out = got.iter().all(|g| matches!(g, Err(FetchError::Timeout)));
    // The server answered the fast URLs well within per_request, yet their
    // results are timeouts too, given at the same moment as the silent one's.
    let answered_in_time = obs.targets.iter().zip(&obs.seen).all(|(t, s)| {
        t.when() != Some(When::Now)
            || s.as_ref()
                .and_then(|s| s.answered)
                .is_some_and(|at| at < obs.per_request / 2)
    });
    let fast = want.iter().any(|w| matches!(w, Want::Is(_)));
    if all_timed_out && fast && answered_in_time && obs.elapsed >= obs.per_request * 9 / 10 {
        Diagnosis::new(format!(
            "{what} returned {} after {took}, with per_request = {per}: every URL timed out, \
             even those the server answered at once. One time limit ended them all together: \
             it covers the whole batch instead of each request, so one silent URL costs the \
             others their results.\nThe URLs:{}{}",
            show_all(got),
            obs.listing(),
            obs.record_picture()
        ))
        .cause(Cause::SharedTimeout)
        .advice(
            "put the timeout on each request (`client.get(url).timeout(per_request)`, or \
             `tokio::time::timeout(per_request, ...)` around one URL's fetch), not around \
             `join_all`.",
        )
        .fail();
    }
    judge_slots(obs, want, |w, g| {
        matches!(w, Want::Timeout) || matches!(g, Err(FetchError::Timeout))
    });
    if obs.elapsed < obs.per_request * 9 / 10 {
        Diagnosis::new(format!(
            "{what} gave up on the silent URL after {took}, before per_request = {per} had \
             passed.{}",
            obs.record_picture()
        ))
        .advice("use `per_request` as the time limit of each request, unchanged.")
        .fail();
    }
    if obs.elapsed > obs.per_request * 5 / 2 {
        Diagnosis::new(format!(
            "{what} took {took} with per_request = {per} (in two runs, the second with a longer \
             per_request, in case the machine was busy): the silent URL should time out after \
             about per_request, with the other requests running meanwhile.{}",
            obs.record_picture()
        ))
        .advice(
            "use `per_request` itself as each request's timeout, and run the requests \
             concurrently (`join_all`).",
        )
        .fail();
    }
}
