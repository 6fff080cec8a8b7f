//! Graded suite for exercise 3 (fetch URLs concurrently).
//!
//! Every test starts a small HTTP server on 127.0.0.1 (`server.rs`), calls
//! the student's code with its URLs, and applies the judges (`judge.rs`) of
//! the promise its name makes: `judge_slots` what each URL's slot holds,
//! `judge_order` the order of the slots (answers let go in reverse order),
//! `judge_concurrency` whether every request was out at once (a
//! rendezvous), `judge_timeouts` what a silent URL did to the call. No
//! verdict on a correct solution waits for the clock, so the tests may run
//! side by side.

mod judge;
mod server;

use grading::Diagnosis;
use judge::{all, judge_concurrency, judge_order, judge_slots, judge_timeouts, Want};
use serde_json::json;
use server::{
    get, invalid, refused, statuses, timeouts, titles, Release, DEADLINE, GENEROUS, QUICK_DEADLINE,
};

/// Fails unless `fetch_*(&[], ..)` returned an empty Vec.
fn expect_empty(what: &str, returned: usize) {
    if returned != 0 {
        Diagnosis::new(format!(
            "{what}(&[], ..) returned {returned} results, expected an empty Vec."
        ))
        .advice("return one result per URL: none for no URL.")
        .fail();
    }
}

#[test]
fn empty_input_gives_empty_output() {
    let obs = statuses(vec![], Release::Together, GENEROUS, QUICK_DEADLINE);
    expect_empty("fetch_statuses", obs.results().len());
    let obs = titles(vec![], Release::Together, GENEROUS, QUICK_DEADLINE);
    expect_empty("fetch_titles", obs.results().len());
}

#[test]
fn five_slow_urls_are_fetched_concurrently() {
    let paths = ["/posts/1", "/posts/2", "/posts/3", "/posts/4", "/posts/5"];
    let targets = paths.iter().map(|&p| get(p, 200).held().into()).collect();
    let obs = statuses(targets, Release::Together, GENEROUS, DEADLINE);
    judge_concurrency(&obs);
    obs.check_one_get_each();
}

#[test]
fn every_status_is_returned_as_is() {
    let targets = vec![
        get("/ok", 200).into(),
        get("/missing", 404).text("<h1>Not Found</h1>").into(),
        get("/broken", 500).text("Internal Server Error").into(),
        get("/created", 201).into(),
    ];
    let obs = statuses(targets, Release::Together, GENEROUS, DEADLINE);
    let want = [Want::Is(200), Want::Is(404), Want::Is(500), Want::Is(201)];
    judge_slots(&obs, &want, all);
    obs.check_one_get_each();
}

#[test]
fn statuses_keep_input_order() {
    let targets = vec![
        get("/first", 201).held().into(),
        get("/second", 404).held().into(),
        get("/third", 500).held().into(),
    ];
    let obs = statuses(targets, Release::Reversed, GENEROUS, DEADLINE);
    judge_order(&obs, &[Want::Is(201), Want::Is(404), Want::Is(500)]);
}

#[test]
fn slow_url_times_out_after_per_request() {
    let targets = vec![
        get("/fast", 200).into(),
        get("/silent", 200).silent().into(),
        get("/also-fast", 404).into(),
    ];
    let obs = timeouts(|per, deadline| statuses(targets.clone(), Release::Together, per, deadline));
    judge_timeouts(&obs, &[Want::Is(200), Want::Timeout, Want::Is(404)]);
    obs.check_one_get_each();
}

#[test]
fn refused_connection_fails_only_its_own_slot() {
    let targets = vec![
        get("/first", 200).into(),
        refused(),
        get("/third", 201).into(),
    ];
    let obs = statuses(targets, Release::Together, GENEROUS, DEADLINE);
    judge_slots(&obs, &[Want::Is(200), Want::Network, Want::Is(201)], all);
    obs.check_one_get_each();
}

#[test]
fn invalid_url_is_a_network_error() {
    let targets = vec![
        invalid("not a url"),
        get("/fine", 200).into(),
        invalid("http://"),
    ];
    let obs = statuses(targets, Release::Together, GENEROUS, DEADLINE);
    judge_slots(&obs, &[Want::Network, Want::Is(200), Want::Network], all);
    obs.check_one_get_each();
}

#[test]
fn network_errors_say_what_happened() {
    let targets = vec![
        refused(),
        get("/fine", 200).json(json!({"title": "fine"})).into(),
        invalid("not a url"),
        invalid("http://"),
    ];
    // The causes at the end of reqwest's chain of sources for these URLs.
    let want = [
        Want::NetworkSaying("connection refused"),
        Want::Is("fine".to_string()),
        Want::NetworkSaying("relative URL without"),
        Want::NetworkSaying("empty host"),
    ];
    let obs = titles(targets, Release::Together, GENEROUS, DEADLINE);
    judge_slots(&obs, &want, |w, _| !matches!(w, Want::Is(_)));
}

#[test]
fn titles_are_read_from_json() {
    let targets = vec![
        get("/posts/1", 200)
            .json(json!({"userId": 1, "id": 1, "title": "sunt aut facere", "body": "quia et suscipit"}))
            .into(),
        get("/posts/2", 200).json(json!({"title": "qui est esse", "id": 2})).into(),
        get("/posts/3", 200).json(json!({"title": "", "tags": ["empty", "is fine"]})).into(),
    ];
    let want = [
        Want::Is("sunt aut facere".to_string()),
        Want::Is("qui est esse".to_string()),
        Want::Is(String::new()),
    ];
    let obs = titles(targets, Release::Together, GENEROUS, DEADLINE);
    judge_slots(&obs, &want, all);
    obs.check_one_get_each();
}

#[test]
fn bad_bodies_are_body_errors() {
    let targets = vec![
        get("/good", 200).json(json!({"title": "good"})).into(),
        get("/no-title", 200)
            .json(json!({"id": 2, "name": "no title here"}))
            .into(),
        get("/html", 200)
            .text("<html><body>not JSON</body></html>")
            .into(),
        get("/number", 200).json(json!({"title": 42})).into(),
    ];
    let want = [
        Want::Is("good".to_string()),
        Want::Body,
        Want::Body,
        Want::Body,
    ];
    let obs = titles(targets, Release::Together, GENEROUS, DEADLINE);
    judge_slots(&obs, &want, |w, _| matches!(w, Want::Body));
    obs.check_one_get_each();
}

#[test]
fn error_statuses_are_status_errors_for_titles() {
    let targets = vec![
        get("/deleted", 404)
            .json(json!({"title": "Not Found"}))
            .into(),
        get("/good", 200)
            .json(json!({"title": "still here"}))
            .into(),
        get("/broken", 500).text("Internal Server Error").into(),
    ];
    let want = [
        Want::Status(404),
        Want::Is("still here".to_string()),
        Want::Status(500),
    ];
    let obs = titles(targets, Release::Together, GENEROUS, DEADLINE);
    judge_slots(&obs, &want, |w, _| matches!(w, Want::Status(_)));
    obs.check_one_get_each();
}

#[test]
fn titles_time_out_after_per_request() {
    let targets = vec![
        get("/silent", 200)
            .json(json!({"title": "too late"}))
            .silent()
            .into(),
        get("/fast", 200).json(json!({"title": "in time"})).into(),
    ];
    let obs = timeouts(|per, deadline| titles(targets.clone(), Release::Together, per, deadline));
    judge_timeouts(&obs, &[Want::Timeout, Want::Is("in time".to_string())]);
    obs.check_one_get_each();
}

#[test]
fn five_slow_titles_are_fetched_concurrently() {
    let posts = ["one", "two", "three", "four", "five"];
    let paths = ["/posts/1", "/posts/2", "/posts/3", "/posts/4", "/posts/5"];
    let targets = posts
        .iter()
        .zip(paths)
        .enumerate()
        .map(|(id, (&title, path))| {
            get(path, 200)
                .json(json!({"id": id + 1, "title": title}))
                .held()
                .into()
        })
        .collect();
    let obs = titles(targets, Release::Together, GENEROUS, DEADLINE);
    judge_concurrency(&obs);
    obs.check_one_get_each();
}

#[test]
fn titles_keep_input_order() {
    let targets = vec![
        get("/first", 200)
            .json(json!({"title": "first"}))
            .held()
            .into(),
        get("/second", 200)
            .json(json!({"title": "second"}))
            .held()
            .into(),
        get("/third", 200)
            .json(json!({"title": "third"}))
            .held()
            .into(),
    ];
    let want = ["first", "second", "third"].map(|t| Want::Is(t.to_string()));
    let obs = titles(targets, Release::Reversed, GENEROUS, DEADLINE);
    judge_order(&obs, &want);
}
