//! [`Download`]: a binary body, chunk by chunk, never held whole.

use std::marker::PhantomData;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::io::AsyncWriteExt;

use super::{CallSpan, Source};
use crate::error::Error;

/// A binary answer's body as it arrives, chunk by chunk in order: memory stays bounded
/// whatever its size. Awaiting a call's `.download()` gave this once the answer's head
/// came; read it with [`next`](Download::next), as a
/// [`Stream`](futures_core::Stream), or into a file with
/// [`write_to`](Download::write_to).
///
/// The call's timeout bounds the wait for each chunk, not the whole download; the call's
/// `authgen.call` span stays open until the body ends, and records its bytes.
#[must_use = "a download does nothing until read"]
pub struct Download<E> {
    source: Source,
    waiting: bool,
    ended: bool,
    span: Option<CallSpan>,
    error: PhantomData<fn() -> E>,
}

// Nothing in `Download` is pinned in place: the body and its timer are boxed.
impl<E> Unpin for Download<E> {}

impl<E> Download<E> {
    pub(crate) fn new(mut source: Source) -> Self {
        Download { span: source.span.take(), source, waiting: false, ended: false, error: PhantomData }
    }

    /// The next chunk; `None` once the body has ended. A broken connection is a last
    /// error.
    pub async fn next(&mut self) -> Option<Result<Bytes, Error<E>>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        self.source.status
    }

    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.source.headers()
    }

    /// The body's length, when the answer says it (`Content-Length`).
    pub fn content_length(&self) -> Option<u64> {
        let length = self.headers().get(reqwest::header::CONTENT_LENGTH)?;
        length.to_str().ok()?.parse().ok()
    }

    /// Writes the rest of the body to the file at `path` (created, or truncated), chunk by
    /// chunk; gives the number of bytes written.
    pub async fn write_to(mut self, path: impl AsRef<Path>) -> Result<u64, Error<E>> {
        let path = path.as_ref();
        let failed = |source| Error::File { path: path.to_path_buf(), source };
        let mut file = tokio::fs::File::create(path).await.map_err(failed)?;
        let mut written = 0;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await.map_err(failed)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(failed)?;
        Ok(written)
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error<E>>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let span = self.span.as_ref().map(|span| span.span.clone());
        let _entered = span.as_ref().map(tracing::Span::enter);
        if !self.waiting {
            self.waiting = true;
            self.source.start_wait();
        }
        let chunk = std::task::ready!(self.source.poll_chunk(cx));
        self.waiting = false;
        match chunk {
            Some(Ok(chunk)) => {
                if let Some(span) = &mut self.span {
                    span.items += 1;
                    span.bytes += chunk.len() as u64;
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            other => {
                self.ended = true;
                self.span = None;
                Poll::Ready(other.map(|failed| failed.map_err(Error::Transport)))
            }
        }
    }
}

impl<E> Stream for Download<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx)
    }
}

impl<E> std::fmt::Debug for Download<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.source.status)
            .field("content_length", &self.content_length())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}
