// Mistake: paged fetches pages 1, 2, 3... four at a time with `buffered(4)` to go faster: it guesses page numbers and has several fetches in flight at once.
// Rejected by: pages_are_fetched_one_at_a_time
// Message contains: fetches in flight at once
// Cause: unbounded
// Observed peak: 4
// Observed busy: page 1, page 4

use futures::StreamExt;

pub fn paged<T, E, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    stream::iter(FIRST_PAGE..)
        .map(fetch)
        .buffered(4)
        .scan(false, |done, reply| {
            if *done {
                return futures::future::ready(None);
            }
            let items: Vec<_> = match reply {
                Ok(page) => {
                    *done = page.next.is_none();
                    page.items.into_iter().map(Ok).collect()
                }
                Err(error) => {
                    *done = true;
                    vec![Err(error)]
                }
            };
            futures::future::ready(Some(items))
        })
        .flat_map(stream::iter)
}
