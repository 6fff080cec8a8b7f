// Mistake: after a failed fetch, paged yields the error but keeps the same page as the next one, so it fetches the failing page again and again.
// Rejected by: a_fetch_error_is_yielded_then_the_stream_ends
// Message contains: went on after the error
// Cause: none

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
            match fetch(number).await {
                Ok(page) => {
                    // An empty page is not the end: loop on to its `next`.
                    rest = page.items.into_iter();
                    next = page.next;
                }
                // Yield the error, and try that page again next time.
                Err(error) => return Some((Err(error), (fetch, rest, Some(number)))),
            }
        }
    })
}
