//! Reading a list over every page: [`Pages`], a stream of answers for the operations the
//! document marks `x-pagination` (their builders have `pages()`).
//!
//! The next page starts where the last one ended (its offset plus the items it held, not the
//! limit asked for: a service may send fewer), and the stream ends at an empty page, at the
//! total the last answer gave, or after the first error. Each page is one call, with the
//! call's deadline and retries.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::error::Error;
use crate::response::Response;

/// What sending one page returns.
pub type PageFuture<A> = Pin<Box<dyn Future<Output = Result<Response<A>, Error>> + Send>>;

/// Implemented by the generated builders only, so that [`Paged`] can grow without breaking
/// the code of anyone who uses it.
pub(crate) mod sealed {
    pub trait Sealed {}
}

/// A builder of a paged operation (generated for each operation marked `x-pagination`): how
/// [`Pages`] asks for the page at an offset and reads its items. Sealed: only the generated
/// builders implement it.
pub trait Paged: Clone + Send + Unpin + Sized + 'static + sealed::Sealed {
    /// The answer of one page.
    type Answer: Send + 'static;
    /// One item of the list.
    type Item;
    /// The builder of the first page (its limit set to the default page when unset), and
    /// the offset it starts at.
    #[doc(hidden)]
    fn first(self) -> (Self, i64);
    /// The same request at `offset`.
    #[doc(hidden)]
    fn at(&self, offset: i64) -> Self;
    /// Sends it.
    #[doc(hidden)]
    fn send_page(self) -> PageFuture<Self::Answer>;
    /// The items of a page.
    #[doc(hidden)]
    fn count(answer: &Self::Answer) -> usize;
    /// The number of items over every page, as the answer gives it.
    #[doc(hidden)]
    fn total(answer: &Self::Answer) -> Option<i64>;
    /// A page's items, taken out.
    #[doc(hidden)]
    fn into_items(answer: Self::Answer) -> Vec<Self::Item>;
}

/// Every page of a list: a [`Stream`] of answers, one call each. Start one with the
/// builder's `pages()`.
///
/// ```no_run
/// # async fn run(client: huaweicloud_workspace::Client) -> Result<(), huaweicloud_workspace::Error> {
/// // Every desktop nobody is assigned to.
/// let unassigned = client.list_desktops().user_attached(false).pages().items().await?;
/// println!("{} unassigned desktops", unassigned.len());
/// # Ok(()) }
/// ```
#[must_use = "a stream does nothing unless polled"]
pub struct Pages<B: Paged> {
    /// The request of the next page, unless the list has ended.
    next: Option<(B, i64)>,
    /// The page being fetched, and its offset.
    in_flight: Option<(PageFuture<B::Answer>, B, i64)>,
}

impl<B: Paged> Pages<B> {
    pub(crate) fn new(builder: B) -> Self {
        let (first, offset) = builder.first();
        Self {
            next: Some((first, offset)),
            in_flight: None,
        }
    }

    /// The next page, or `None` after the last one (or after an error).
    pub async fn next_page(&mut self) -> Option<Result<Response<B::Answer>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every item of every page, in order; the first error ends it.
    pub async fn items(mut self) -> Result<Vec<B::Item>, Error> {
        let mut items = Vec::new();
        while let Some(page) = self.next_page().await {
            items.extend(B::into_items(page?.into_inner()));
        }
        Ok(items)
    }
}

impl<B: Paged> Stream for Pages<B> {
    type Item = Result<Response<B::Answer>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.in_flight.is_none() {
            let Some((builder, offset)) = this.next.take() else {
                return Poll::Ready(None);
            };
            this.in_flight = Some((builder.clone().send_page(), builder, offset));
        }
        let Some((future, _, _)) = this.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        let answer = match future.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(answer) => answer,
        };
        let Some((_, builder, offset)) = this.in_flight.take() else {
            return Poll::Ready(None);
        };
        if let Ok(page) = &answer {
            let count = B::count(page) as i64;
            let next = offset.saturating_add(count);
            let more = count > 0 && B::total(page).is_none_or(|total| next < total);
            if more {
                this.next = Some((builder.at(next), next));
            }
        }
        Poll::Ready(Some(answer))
    }
}
