// Mistake: paged ignores `next` and fetches page after page (number + 1) until a page comes back empty, so after the last page it fetches one that does not exist.
// Rejected by: the_stream_ends_after_the_last_page
// Message contains: but page 1 was the last one (next: None)
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
                    // Pages are numbered 1, 2, 3...: the first empty one is the end.
                    next = (!page.items.is_empty()).then_some(number + 1);
                    rest = page.items.into_iter();
                }
                // Yield the error; with `next` = None the stream ends after it.
                Err(error) => return Some((Err(error), (fetch, rest, None))),
            }
        }
    })
}
