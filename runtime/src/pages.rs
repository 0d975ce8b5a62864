//! [`Paginate`]: what generated code states about a list operation that pages, and
//! [`Items`], the one stream of items every such call gives.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::call::CallOptions;
use crate::client::ClientCore;
use crate::error::{Error, ValidationError};
use crate::operation::{CallFuture, Operation, send};

/// Where the next page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A cursor, sent in the operation's cursor parameter.
    Cursor(String),
    /// A URL (a `Link: rel="next"` header), requested as it is.
    Url(String),
}

/// One page: its items and where the next one is (`None`: the last page).
#[derive(Debug)]
pub struct Page<T> {
    items: Vec<T>,
    next: Option<Next>,
}

impl<T> Page<T> {
    /// Stripe's convention: while `has_more`, the next page starts after the last
    /// item's id.
    pub fn after_last(items: Vec<T>, has_more: bool, id: impl Fn(&T) -> Option<String>) -> Self {
        let next = has_more.then(|| items.last().and_then(id)).flatten().map(Next::Cursor);
        Page { items, next }
    }

    /// Oxide's convention: the answer carries the next page's token, or none on the last.
    pub fn token(items: Vec<T>, token: Option<String>) -> Self {
        Page { items, next: token.filter(|t| !t.is_empty()).map(Next::Cursor) }
    }

    /// RFC 8288: the next page is the `Link: <…>; rel="next"` of the answer.
    pub fn link(items: Vec<T>, link: Option<&str>) -> Self {
        Page { items, next: link.map(|url| Next::Url(url.to_string())) }
    }
}

/// A list operation that pages.
pub trait Paginate: Operation + Clone {
    /// One item of a page.
    type Item: Send + 'static;
    /// The page in `output`; `link` is the answer's `rel="next"` link, if any.
    fn page(output: Self::Output, link: Option<&str>) -> Page<Self::Item>;
    /// Sets the cursor of the next page (a list paged by `Link` has none).
    fn next(&mut self, cursor: String) {
        let _ = cursor;
    }
}

/// The items of every page of a call, fetched lazily: a page is requested only when
/// the items before it have been read, so a loop that stops within the first page sends
/// one request. The call's options (timeout, headers, retries) apply to every page. An
/// error ends the stream after the items before it.
///
/// A generated call of a list operation that pages gives one with `.stream()`; which
/// operations page, and how the next page is found, is decided from the spec (the
/// repository's `docs/spec-support.md`).
///
/// A [`Stream`](futures_core::Stream); [`Items::next`] reads it without another crate
/// (`while let Some(customer) = customers.next().await { … }`).
#[must_use = "a stream does nothing until read"]
pub struct Items<'c, P: Paginate> {
    core: &'c ClientCore,
    /// The next page's parameters; `None` once the last page is asked for.
    params: Option<P>,
    options: CallOptions,
    items: VecDeque<P::Item>,
    pending: Option<CallFuture<'c, Page<P::Item>, P::Error>>,
    /// Why there is no next page, given after the items already read.
    failed: Option<Error<P::Error>>,
}

/// One item of a stream of pages, or why there are no more.
type ItemResult<P> = Result<<P as Paginate>::Item, Error<<P as Operation>::Error>>;

// Nothing in `Items` is pinned in place: the page in flight is boxed.
impl<P: Paginate> Unpin for Items<'_, P> {}

/// The items of the call of `params`, fetched page by page as they are read.
pub fn items<P: Paginate>(core: &ClientCore, params: P, options: CallOptions) -> Items<'_, P> {
    Items { core, params: Some(params), options, items: VecDeque::new(), pending: None, failed: None }
}

impl<'c, P: Paginate> Items<'c, P> {
    /// The next item, fetching the next page when the ones read are used up; `None`
    /// after the last.
    pub async fn next(&mut self) -> Option<ItemResult<P>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<ItemResult<P>>> {
        loop {
            if let Some(item) = self.items.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(pending) = &mut self.pending {
                let page = std::task::ready!(pending.as_mut().poll(cx));
                self.pending = None;
                match page {
                    Ok(page) => self.turn(page),
                    Err(error) => self.fail(error),
                }
                continue;
            }
            if let Some(error) = self.failed.take() {
                return Poll::Ready(Some(Err(error)));
            }
            let Some(params) = self.params.clone() else { return Poll::Ready(None) };
            self.pending = Some(fetch(self.core, params, self.options.clone()));
        }
    }

    /// Takes a page's items and sets up the next request, if there is a next page.
    fn turn(&mut self, page: Page<P::Item>) {
        let more = !page.items.is_empty();
        self.items.extend(page.items);
        match (page.next, self.params.as_mut()) {
            // An empty page that claims more would be asked for forever.
            (Some(_), _) if !more => self.params = None,
            (Some(Next::Cursor(cursor)), Some(params)) => params.next(cursor),
            (Some(Next::Url(url)), Some(_)) => match same_origin(self.core, &url) {
                Ok(url) => self.options.url = Some(url),
                Err(refused) => self.fail(refused.into()),
            },
            _ => self.params = None,
        }
    }

    /// Ends the stream with `error`, once the items read before it are given.
    fn fail(&mut self, error: Error<P::Error>) {
        self.params = None;
        self.failed = Some(error);
    }
}

impl<P: Paginate> futures_core::Stream for Items<'_, P> {
    type Item = ItemResult<P>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

/// One page of the call of `params`.
fn fetch<P: Paginate>(
    core: &ClientCore,
    params: P,
    options: CallOptions,
) -> CallFuture<'_, Page<P::Item>, P::Error> {
    send(params.request(core), options, |response| {
        let link = response.next_link().map(str::to_string);
        Ok(P::page(P::decode(response)?, link.as_deref()))
    })
}

/// A next-page link, if it stays on the client's server: credentials go with it.
fn same_origin(core: &ClientCore, link: &str) -> Result<url::Url, ValidationError> {
    let url = url::Url::parse(link).ok();
    let base = url::Url::parse(core.base_url()).ok();
    match (url, base) {
        (Some(url), Some(base)) if url.origin() == base.origin() => Ok(url),
        _ => Err(ValidationError {
            field: "Link".into(),
            problem:
                "points the next page at another server, which would be sent the credentials: not followed"
                    .into(),
        }),
    }
}
