// Mistake: paged keeps the rest of the page in a `Vec` and takes the next item with `pop()`, which takes from the end: every page comes out last item first.
// Rejected by: yields_every_item_of_every_page_in_order
// Message contains: every page's items came out last first
// Cause: wrong-order

pub fn paged<T, E, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    let start = (fetch, Vec::new(), Some(FIRST_PAGE));
    stream::unfold(start, |(mut fetch, mut rest, mut next)| async move {
        loop {
            // The next item of the current page.
            if let Some(item) = rest.pop() {
                return Some((Ok(item), (fetch, rest, next)));
            }
            let number = next?;
            match fetch(number).await {
                Ok(page) => {
                    rest = page.items;
                    next = page.next;
                }
                Err(error) => return Some((Err(error), (fetch, rest, None))),
            }
        }
    })
}
