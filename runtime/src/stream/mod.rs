//! Answers read as they arrive: [`Events`], the typed items of an event stream
//! (server-sent events, NDJSON, JSON text sequences), and [`Download`], the chunks of
//! a binary body. One generic type each: generated code only names the item type and
//! the [`Format`].
//!
//! Both read the body through a [`Source`], which bounds the wait for each item by the
//! call's timeout and keeps the call's tracing span open until the stream ends.

mod download;
mod events;
mod frame;
mod sse;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::time::{Instant, Sleep};

pub use download::Download;
pub use events::Events;
pub use frame::Framing;

use crate::error::{Error, RawBody, TransportError};

/// How an operation's answer streams: its media type, framing, the `data` that ends it
/// (`[DONE]` where a spec documents one) and whether items are JSON or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    media: &'static str,
    framing: Framing,
    sentinel: Option<&'static str>,
    text: bool,
}

impl Format {
    /// `text/event-stream`: server-sent events whose `data` is one JSON item each.
    pub const fn events() -> Self {
        Format { media: "text/event-stream", framing: Framing::Events, sentinel: None, text: false }
    }

    /// One JSON item a line, as `media` (`application/x-ndjson`, `application/jsonl`).
    pub const fn lines(media: &'static str) -> Self {
        Format { media, framing: Framing::Lines, sentinel: None, text: false }
    }

    /// `application/json-seq` (RFC 7464).
    pub const fn sequence() -> Self {
        Format { media: "application/json-seq", framing: Framing::Sequence, sentinel: None, text: false }
    }

    /// The stream ends, cleanly, at an item whose data is `sentinel` (OpenAI's `[DONE]`).
    pub const fn until(self, sentinel: &'static str) -> Self {
        Format { sentinel: Some(sentinel), ..self }
    }

    /// Items are plain text, not JSON (an event whose schema is a string).
    pub const fn text(self) -> Self {
        Format { text: true, ..self }
    }

    /// The media type asked for in `Accept`.
    pub fn media(&self) -> &'static str {
        self.media
    }

    pub(crate) fn framing(&self) -> Framing {
        self.framing
    }
}

/// Opens the body again after a drop, sending the last event ID: the answer's source,
/// or why there is none (the server refused, or no connection could be made).
pub(crate) type Replay<E> = Box<dyn FnMut(Option<String>) -> Reopening<E> + Send>;

/// A reconnection in flight.
pub(crate) type Reopening<E> = Pin<Box<dyn Future<Output = Result<Source, Error<E>>> + Send>>;

type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// The body of a successful answer, still to read, with its status and headers.
pub(crate) struct Source {
    status: StatusCode,
    /// The answer's headers (and no bytes): what an item's error keeps.
    answer: RawBody,
    body: Body,
    wait: Wait,
    /// The most one item may take.
    limit: usize,
    span: Option<CallSpan>,
}

enum Body {
    /// Read already (an answer that was not streamed): one chunk, or none left.
    Read(Option<Bytes>),
    Streaming(Chunks),
}

impl Source {
    /// The body of `response`, each item awaited at most `timeout`, none over `limit` bytes.
    pub(crate) fn streaming(
        status: StatusCode,
        answer: RawBody,
        response: reqwest::Response,
        timeout: Duration,
        limit: usize,
    ) -> Self {
        let body = Body::Streaming(Box::pin(response.bytes_stream()));
        Source { status, answer, body, wait: Wait::new(timeout), limit, span: None }
    }

    /// A body read whole already, as `answer`'s bytes.
    pub(crate) fn read(status: StatusCode, answer: RawBody, limit: usize) -> Self {
        let bytes = answer.bytes();
        let answer = answer.with_bytes(Bytes::new());
        Source {
            status,
            answer,
            body: Body::Read(Some(bytes)),
            wait: Wait::new(Duration::MAX),
            limit,
            span: None,
        }
    }

    /// Keeps the call's span open as long as the source, or what takes it, lives.
    pub(crate) fn with_span(mut self, span: Option<CallSpan>) -> Self {
        self.span = span;
        self
    }

    /// Starts the time limit of one item.
    fn start_wait(&mut self) {
        self.wait.start();
    }

    /// The next chunk: `None` at the body's clean end; an error when the connection
    /// broke or no chunk came before the item's time ran out.
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, TransportError>>> {
        let chunks = match &mut self.body {
            Body::Read(bytes) => return Poll::Ready(bytes.take().map(Ok)),
            Body::Streaming(chunks) => chunks,
        };
        if let Poll::Ready(chunk) = chunks.as_mut().poll_next(cx) {
            return Poll::Ready(chunk.map(|chunk| chunk.map_err(TransportError::new)));
        }
        self.wait.poll_expired(cx).map(|expired| Some(Err(expired)))
    }

    fn headers(&self) -> &HeaderMap {
        self.answer.headers()
    }
}

/// The time limit of one item: it runs from the first moment the body has nothing ready
/// (most chunks of a fast body never touch the clock or the timer).
struct Wait {
    timeout: Duration,
    /// When the item's time runs out, once the body has made us wait for it.
    deadline: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl Wait {
    fn new(timeout: Duration) -> Self {
        Wait { timeout, deadline: None, timer: None }
    }

    /// A new item is waited for.
    fn start(&mut self) {
        self.deadline = None;
    }

    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<TransportError> {
        let deadline = match self.deadline {
            Some(deadline) => deadline,
            None => {
                let Some(deadline) = Instant::now().checked_add(self.timeout) else { return Poll::Pending };
                *self.deadline.insert(deadline)
            }
        };
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        timer.as_mut().poll(cx).map(|()| TransportError::timed_out("item of the stream", self.timeout))
    }
}

/// The call's `authgen.call` span, held open while its stream is read; on drop it
/// records the items and bytes read and the call's whole duration.
pub(crate) struct CallSpan {
    span: tracing::Span,
    started: Instant,
    items: u64,
    bytes: u64,
}

impl CallSpan {
    pub(crate) fn new(span: tracing::Span, started: Instant) -> Self {
        CallSpan { span, started, items: 0, bytes: 0 }
    }
}

impl Drop for CallSpan {
    fn drop(&mut self) {
        // Signed: OpenTelemetry's attributes have no unsigned integers.
        self.span.record("authgen.stream.items", self.items as i64);
        self.span.record("authgen.stream.bytes", self.bytes as i64);
        self.span.record("authgen.duration_ms", self.started.elapsed().as_millis() as i64);
        crate::telemetry::count_stream_items(self.items);
    }
}
