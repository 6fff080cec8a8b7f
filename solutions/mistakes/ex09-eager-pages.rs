// Mistake: paged fetches every page into a Vec when the first item is asked for, and only then yields the items.
// Rejected by: pages_are_fetched_lazily
// Message contains: it fetched pages before they were needed
// Cause: none

use futures::StreamExt;

pub fn paged<T, E, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    let mut fetch = fetch;
    stream::once(async move {
        let mut all = Vec::new();
        let mut next = Some(FIRST_PAGE);
        while let Some(number) = next {
            match fetch(number).await {
                Ok(page) => {
                    all.extend(page.items.into_iter().map(Ok));
                    next = page.next;
                }
                Err(error) => {
                    all.push(Err(error));
                    next = None;
                }
            }
        }
        all
    })
    .flat_map(stream::iter)
}
