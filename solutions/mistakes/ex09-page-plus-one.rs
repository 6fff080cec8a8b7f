// Mistake: paged counts the pages itself (page + 1) while `next` is Some, instead of fetching the page that `next` names.
// Rejected by: follows_the_next_page_number
// Message contains: follow `next`, don't count the pages yourself
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
                    // More pages to come: the next one.
                    next = page.next.map(|_| number + 1);
                }
                // Yield the error; with `next` = None the stream ends after it.
                Err(error) => return Some((Err(error), (fetch, rest, None))),
            }
        }
    })
}
