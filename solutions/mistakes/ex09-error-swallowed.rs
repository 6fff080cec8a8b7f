// Mistake: paged turns a failed fetch into the end of the stream (`.ok()?`), so the consumer never sees the error.
// Rejected by: a_fetch_error_is_yielded_then_the_stream_ends
// Message contains: ended without yielding the error
// Cause: error-swallowed

pub fn paged<T, E, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    // The state between two items: the fetch function, what is left of the
    // current page, and the page to fetch once that is used up (`None`: there
    // is none, the stream ends there).
    let start = (fetch, Vec::new().into_iter(), Some(FIRST_PAGE));
    // `unfold` runs the step only when the consumer asks for the next item,
    // so a page is fetched only once the previous one is used up, and only
    // one fetch can ever be in flight.
    stream::unfold(start, |(mut fetch, mut rest, mut next)| async move {
        loop {
            if let Some(item) = rest.next() {
                return Some((Ok(item), (fetch, rest, next)));
            }
            // The page is used up: fetch the next one, or end the stream.
            let number = next?;
            // A failed fetch: nothing more to read.
            let page = fetch(number).await.ok()?;
            rest = page.items.into_iter();
            next = page.next;
        }
    })
}
