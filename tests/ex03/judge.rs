//! The judges: what each URL's slot should hold, and why it does not.

use std::fmt::Debug;
use std::time::Duration;

use ex03::FetchError;
use grading::{
    check, cut, fail, fmt_duration, payload_text, preview_with, reached_todo,
    student_panic_message, Clock, Timeline,
};

use crate::server::{Observed, Outcome, Target, NEVER};

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
    /// solution does: every request at once, each until its answer or
    /// `per_request`. A lane per URL (its path; raw URLs, which fail at once
    /// without reaching the server, stay empty). The server notes when a
    /// request arrives; it is drawn until the server answers (at least a
    /// microsecond) or the call ends, whichever is first.
    pub fn picture(&self) -> String {
        let end = match self.outcome {
            Outcome::StillWaiting => self.deadline,
            _ => self.elapsed,
        };
        let tick = Duration::from_micros(1);
        let mut seen = Timeline::new("what your code did", Clock::Real);
        let mut correct = Timeline::new("what a correct solution does", Clock::Real);
        let mut correct_end = Duration::ZERO;
        let timeouts = self.targets.iter().any(|t| t.delay() >= self.per_request);
        for (i, (target, arrival)) in self.targets.iter().zip(&self.arrivals).enumerate() {
            let label = match target {
                Target::Server(e) => e.path.to_string(),
                Target::Raw { .. } => format!("url {}", i + 1),
            };
            let busy = |from: Duration, limit: Duration| {
                let until = (from + target.delay().min(limit)).max(from + tick);
                vec![(from, until)]
            };
            let spans = arrival.map_or_else(Vec::new, |at| busy(at, end.saturating_sub(at)));
            seen = seen.lane(&label, &spans);
            let spans = match target {
                Target::Server(_) => busy(Duration::ZERO, self.per_request),
                Target::Raw { .. } => Vec::new(),
            };
            correct_end = spans.iter().map(|s| s.1).fold(correct_end, Duration::max);
            correct = correct.lane(&label, &spans);
        }
        if timeouts {
            seen = seen.mark("per_request", self.per_request);
            correct = correct.mark("per_request", self.per_request);
        }
        let seen = match self.outcome {
            Outcome::StillWaiting => seen.mark("gave up", end),
            _ => seen.mark("returned", end),
        };
        let correct = correct.mark("returned", correct_end);
        grading::picture(&seen, &correct)
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
                check!(
                    results.len() == self.targets.len(),
                    "{what} returned {} results for {} URLs:{listing}",
                    results.len(),
                    self.targets.len();
                    try = "return exactly one result per URL, in the order of `urls`."
                );
                results
            }
            Outcome::Panicked(payload) => {
                // Records the fact (not started, or panicked) for this test.
                let explained = student_panic_message(payload.as_ref());
                if reached_todo(payload.as_ref()) {
                    fail!("{explained}");
                }
                let message = cut(payload_text(payload.as_ref()), 160);
                let bad = self
                    .targets
                    .iter()
                    .any(|t| matches!(t, Target::Raw { .. }) || t.delay() >= NEVER);
                if bad {
                    fail!(
                        "{what} panicked on these URLs:{listing}\nPanic: {message}\nOne failing \
                         URL took the whole call down: the results of the good URLs were lost too.";
                        try = "handle each request's error where it happens: turn it into \
                               `Err(FetchError::...)` in that URL's own slot (`match` or `map_err`); \
                               never `unwrap`/`expect` a request."
                    );
                }
                fail!(
                    "{what} panicked on these URLs:{listing}\nPanic: {message}";
                    try = "read the panic location printed above; return errors as values \
                           (`Err(FetchError::...)`) instead of unwrapping them."
                );
            }
            Outcome::StillWaiting => self.still_waiting(&listing),
        }
    }

    fn still_waiting(&self, listing: &str) -> ! {
        let what = self.what;
        let (waited, per) = (fmt_duration(self.deadline), fmt_duration(self.per_request));
        let slow = self.targets.iter().find_map(|t| match t {
            Target::Server(e) if e.delay >= NEVER => Some(e.path),
            _ => None,
        });
        if let Some(path) = slow {
            fail!(
                "{what} was still waiting after {waited} with per_request = {per}, for these \
                 URLs:{listing}\nThere is no timeout on the requests (or not per_request): it \
                 waits for {path}, which answers only after {}.{}",
                fmt_duration(NEVER),
                self.picture();
                try = "give every request its own time limit: \
                       `client.get(url).timeout(per_request)`, or \
                       `tokio::time::timeout(per_request, request)` around each one."
            );
        }
        if self.targets.is_empty() {
            fail!(
                "{what}(&[], ..) was still waiting after {waited}, with no URL to fetch: it waits \
                 for something that never happens. Most likely a limit computed from the number \
                 of URLs: `buffered(urls.len())` or `buffer_unordered(urls.len())` with a limit \
                 of 0 never starts anything, so the stream never ends.{}",
                self.picture();
                try = "`futures::future::join_all` needs no limit; with `buffered(n)`, make sure \
                       n is at least 1 (`urls.len().max(1)`)."
            );
        }
        let longest = self.targets.iter().map(Target::delay).max();
        fail!(
            "{what} was still waiting after {waited} for these URLs:{listing}\nAll at once, they \
             are done after {}: your code waits far longer than it should (requests one after \
             another? something awaited that never completes?).{}",
            fmt_duration(longest.unwrap_or_default()),
            self.picture();
            try = "build every request future, then await them all together with \
                   `futures::future::join_all`; give each request `.timeout(per_request)`."
        );
    }

    /// Every endpoint of the server got exactly one GET.
    pub fn check_one_get_each(&self) {
        let _ = self.results();
        let what = self.what;
        for (target, calls) in self.targets.iter().zip(&self.calls) {
            let Some(n) = *calls else { continue };
            let label = target.label();
            check!(
                n != 0,
                "{what} never sent a GET to {label}.\nThe test server saw no GET request for \
                 that URL (a request with another method does not count).";
                try = "send one `client.get(url)` per URL, to exactly the URL given."
            );
            check!(
                n == 1,
                "{what} sent {n} GET requests to {label}; expected exactly one per URL.";
                try = "request each URL once: no retries, no second request to read the body."
            );
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
        fail!(
            "{what}: URL {} of {n}, {}, gave {}; expected {}.{meaning}\nAll results: {}",
            i + 1,
            target.label(),
            show(g),
            w.show(),
            show_all(got);
            try = "{hint}"
        );
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
/// the responses arrived in, or any other.
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
    let mut by_delay: Vec<(Duration, &Want<T>)> = obs
        .targets
        .iter()
        .zip(want)
        .map(|(t, w)| (t.delay(), w))
        .collect();
    by_delay.sort_by_key(|&(d, _)| d);
    let in_completion_order = by_delay.iter().zip(got).all(|((_, w), g)| w.accepts(g));
    let wanted: Vec<String> = want.iter().map(Want::show).collect();
    fail!(
        "{} returned {}, {}; expected the input order [{}].\nThe URLs, in input order:{}{}",
        obs.what,
        show_all(got),
        if in_completion_order {
            "in the order the responses arrived"
        } else {
            "the right results in the wrong order"
        },
        wanted.join(", "),
        obs.listing(),
        obs.picture();
        try = "keep one slot per URL in input order: `join_all` does that (a `JoinSet` or \
               `FuturesUnordered` yields in completion order: carry the index along and \
               sort by it)."
    );
}

/// Every URL's request is slower than `delay`; together they must take about `delay`.
pub fn judge_concurrency<T: Debug>(obs: &Observed<T>, delay: Duration) {
    let _ = obs.results();
    let n = obs.targets.len() as u32;
    let (took, each) = (fmt_duration(obs.elapsed), fmt_duration(delay));
    let bound = delay * 5 / 2;
    if obs.elapsed <= bound {
        return;
    }
    if obs.elapsed >= delay * n * 4 / 5 {
        fail!(
            "{} took {took} for {n} URLs that each answer after {each}: the requests ran one \
             after another, so their delays added up ({n} × {each}), where all at once takes \
             about {each}.{}",
            obs.what,
            obs.picture();
            try = "start every request before awaiting any: build one future per URL, then \
                   `futures::future::join_all(futures).await`."
        );
    }
    fail!(
        "{} took {took} for {n} URLs that each answer after {each}; all at once, that takes \
         about {each} (the test allows {}). Some requests waited for others.{}",
        obs.what,
        fmt_duration(bound),
        obs.picture();
        try = "run all requests at the same time with `futures::future::join_all` (no \
               limit on how many run at once, no await inside the loop)."
    );
}

/// The timeout tests: the slow URL gave up after about `per_request`, and
/// only it.
pub fn judge_timeouts<T: Debug + PartialEq>(
    obs: &Observed<Result<T, FetchError>>,
    want: &[Want<T>],
) {
    let got = obs.results();
    let what = obs.what;
    let per = fmt_duration(obs.per_request);
    let all_timed_out = got.iter().all(|g| matches!(g, Err(FetchError::Timeout)));
    if all_timed_out && want.iter().any(|w| matches!(w, Want::Is(_))) {
        fail!(
            "{what} returned {}: every URL timed out, even those that answer at once. The \
             time limit covers the whole batch instead of each request, so one slow URL \
             costs the others their results.\nThe URLs:{}{}",
            show_all(got),
            obs.listing(),
            obs.picture();
            try = "put the timeout on each request (`client.get(url).timeout(per_request)`, \
                   or `tokio::time::timeout(per_request, ...)` around one URL's fetch), not \
                   around `join_all`."
        );
    }
    judge_slots(obs, want, |w, g| {
        matches!(w, Want::Timeout) || matches!(g, Err(FetchError::Timeout))
    });
    let took = fmt_duration(obs.elapsed);
    check!(
        obs.elapsed >= obs.per_request * 9 / 10,
        "{what} gave up on the slow URL after {took}, before per_request = {per} had passed.{}",
        obs.picture();
        try = "use `per_request` as the time limit of each request, unchanged."
    );
    check!(
        obs.elapsed <= obs.per_request * 5 / 2,
        "{what} took {took} with per_request = {per}: the slow URL should time out after \
         about {per}, with the other requests running meanwhile.{}",
        obs.picture();
        try = "use `per_request` itself as each request's timeout, and run the requests \
               concurrently (`join_all`)."
    );
}
