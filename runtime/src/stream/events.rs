//! [`Events`]: the typed items of an event stream, as they arrive.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::time::Sleep;

use super::frame::{Frame, Framing, Overflow, Records};
use super::sse::SseParser;
use super::{CallSpan, Format, Reopening, Replay, Source};
use crate::decode;
use crate::error::Error;

/// Consecutive reconnections tried after a drop before the stream ends with the error.
const RESUMES: u32 = 3;

/// The wait before reconnecting when the server set none with `retry:`.
const DEFAULT_RETRY: Duration = Duration::from_secs(1);

/// Event ids remembered to skip events a resumed stream sends again.
const REMEMBERED_IDS: usize = 1024;

/// The typed items of an event stream (server-sent events, NDJSON, JSON text
/// sequences), each given as soon as it arrives: awaiting the call gave this once the
/// answer's head came.
///
/// Read it with [`next`](Events::next) (no trait to import) or as a
/// [`Stream`](futures_core::Stream). The body's clean end ends it (`None`), as does the
/// sentinel a spec documents (`data: [DONE]`). An item that does not decode is an error
/// item and the stream goes on; a broken connection is a last error item.
///
/// A `GET` event stream whose connection drops is reopened with `Last-Event-ID`, waiting
/// what the server asked with `retry:` (1 s if it did not), up to 3 times in a row: an
/// event already given is never given again, and a drop that was resumed is no error.
///
/// The call's timeout bounds the wait for each item, not the whole stream; the call's
/// `authgen.call` span stays open until the stream ends, and records the items read.
#[must_use = "a stream does nothing until read"]
pub struct Events<T, E> {
    source: Source,
    format: Format,
    framer: Framer,
    frames: VecDeque<Frame>,
    decode: fn(&[u8]) -> Result<T, String>,
    /// The body has ended: once `frames` is empty, so is the stream.
    exhausted: bool,
    ended: bool,
    /// An item is being waited for (its time limit is running).
    waiting: bool,
    /// The event name and own id of the item last given.
    last: (Option<String>, Option<String>),
    span: Option<CallSpan>,
    resume: Option<Resume<E>>,
}

/// What a resumable stream needs to reopen itself.
struct Resume<E> {
    replay: Replay<E>,
    /// Reconnections tried since the last item.
    attempts: u32,
    delay: Option<Pin<Box<Sleep>>>,
    reopening: Option<Reopening<E>>,
    /// The ids of the events given, most recent last, bounded.
    seen: VecDeque<String>,
    seen_set: HashSet<String>,
}

/// One item, or why it could not be read.
type Item<T, E> = Result<T, Error<E>>;

// Nothing in `Events` is pinned in place: the body and the timers are boxed.
impl<T, E> Unpin for Events<T, E> {}

impl<T: DeserializeOwned, E> Events<T, E> {
    /// The items of `source` in `format`; a `replay` makes it resumable.
    pub(crate) fn new(mut source: Source, format: Format, replay: Option<Replay<E>>) -> Self {
        let decode = if format.text { decode::from_text::<T> } else { decode::json::<T> };
        let resume = replay.filter(|_| format.framing() == Framing::Events).map(|replay| Resume {
            replay,
            attempts: 0,
            delay: None,
            reopening: None,
            seen: VecDeque::new(),
            seen_set: HashSet::new(),
        });
        Events {
            span: source.span.take(),
            source,
            framer: Framer::new(format.framing()),
            format,
            frames: VecDeque::new(),
            decode,
            exhausted: false,
            ended: false,
            waiting: false,
            last: (None, None),
            resume,
        }
    }
}

impl<T, E> Events<T, E> {
    /// The next item as soon as it arrives; `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Item<T, E>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        self.source.status
    }

    /// The answer's headers (of the first connection, when the stream was resumed).
    pub fn headers(&self) -> &HeaderMap {
        self.source.headers()
    }

    /// The `event:` name of the item last given, where it had one.
    pub fn event_name(&self) -> Option<&str> {
        self.last.0.as_deref()
    }

    /// The `id:` of the item last given, where it had one of its own.
    pub fn event_id(&self) -> Option<&str> {
        self.last.1.as_deref()
    }

    /// The last event ID the server set (what a reconnection sends as `Last-Event-ID`).
    pub fn last_event_id(&self) -> Option<&str> {
        self.framer.events().and_then(|parser| parser.last_id())
    }

    /// The next item, read within the call's span (a reconnection's own span is its child).
    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Item<T, E>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let span = self.span.as_ref().map(|span| span.span.clone());
        let _entered = span.as_ref().map(tracing::Span::enter);
        self.poll_read(cx)
    }

    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<Option<Item<T, E>>> {
        if !self.waiting {
            self.waiting = true;
            self.source.start_wait();
        }
        loop {
            if let Some(frame) = self.frames.pop_front() {
                match self.take(frame) {
                    Some(item) => {
                        self.waiting = false;
                        return Poll::Ready(item);
                    }
                    None => continue,
                }
            }
            if self.exhausted {
                return Poll::Ready(self.end(None));
            }
            if let Some(resume) = &mut self.resume
                && let Some(outcome) = std::task::ready!(resume.poll_reopen(cx))
            {
                match outcome {
                    Ok(source) => self.reopened(source),
                    Err(error) => {
                        if let Some(last) = self.dropped(error) {
                            return Poll::Ready(last);
                        }
                    }
                }
                continue;
            }
            match std::task::ready!(self.source.poll_chunk(cx)) {
                Some(Ok(chunk)) => {
                    if let Some(span) = &mut self.span {
                        span.bytes += chunk.len() as u64;
                    }
                    if self.framer.feed(&chunk, self.source.limit, &mut self.frames).is_err() {
                        let error =
                            Error::BodyTooLarge { status: self.source.status, limit: self.source.limit };
                        return Poll::Ready(self.end(Some(Err(error))));
                    }
                }
                None => {
                    self.framer.finish(&mut self.frames);
                    self.exhausted = true;
                }
                Some(Err(error)) => {
                    if let Some(last) = self.dropped(Error::Transport(error)) {
                        return Poll::Ready(last);
                    }
                }
            }
        }
    }

    /// The item of `frame`: `None` to skip it (an event given before a resumption),
    /// `Some(None)` at the sentinel.
    fn take(&mut self, frame: Frame) -> Option<Option<Item<T, E>>> {
        if let (Some(resume), Some(id)) = (&mut self.resume, &frame.id)
            && !resume.first_time(id)
        {
            return None;
        }
        if self.format.sentinel.is_some_and(|sentinel| frame.data.trim_ascii() == sentinel.as_bytes()) {
            return Some(self.end(None));
        }
        if let Some(resume) = &mut self.resume {
            resume.attempts = 0;
        }
        if let Some(span) = &mut self.span {
            span.items += 1;
        }
        let item = (self.decode)(&frame.data).map_err(|message| Error::Decode {
            status: self.source.status,
            message: format!("an item of the stream: {message}"),
            body: self.source.answer.with_bytes(frame.data),
        });
        self.last = (frame.event, frame.id);
        Some(Some(item))
    }

    /// The connection broke, an item took too long or a reconnection failed: reopen it
    /// if the stream is resumable and has tries left (`None`), else end with the error.
    fn dropped(&mut self, error: Error<E>) -> Option<Option<Item<T, E>>> {
        let retry = self.framer.events().and_then(|parser| parser.retry()).unwrap_or(DEFAULT_RETRY);
        let last_id = self.last_event_id().map(String::from);
        match &mut self.resume {
            Some(resume) if resume.attempts < RESUMES => {
                resume.attempts += 1;
                let reason = match &error {
                    Error::Transport(transport) => format!("{:?}", transport.kind()),
                    other => other.status().map_or("error".into(), |s| s.as_u16().to_string()),
                };
                tracing::info!(
                    attempt = resume.attempts,
                    reason,
                    wait_ms = retry.as_millis() as u64,
                    "resuming"
                );
                resume.delay = Some(Box::pin(tokio::time::sleep(retry)));
                resume.reopening = Some((resume.replay)(last_id));
                None
            }
            _ => Some(self.end(Some(Err(error)))),
        }
    }

    /// Reads on from `source`, a reconnection.
    fn reopened(&mut self, source: Source) {
        // The first answer's head stays (it is the call's); the body is the new one.
        self.source.body = source.body;
        self.source.start_wait();
        self.framer.restart();
    }

    /// Ends the stream with `last`, closing the call's span.
    fn end(&mut self, last: Option<Item<T, E>>) -> Option<Item<T, E>> {
        self.ended = true;
        self.frames.clear();
        self.span = None;
        last
    }
}

/// How the body splits into items.
enum Framer {
    Events(SseParser),
    Records(Records),
}

impl Framer {
    fn new(framing: Framing) -> Self {
        match framing {
            Framing::Events => Framer::Events(SseParser::default()),
            _ => Framer::Records(Records::new(framing)),
        }
    }

    fn feed(&mut self, chunk: &Bytes, limit: usize, out: &mut VecDeque<Frame>) -> Result<(), Overflow> {
        match self {
            Framer::Events(parser) => parser.feed(chunk, limit, out),
            Framer::Records(records) => records.feed(chunk, limit, out),
        }
    }

    /// The body ended; an event left unfinished is dropped, a last line is an item.
    fn finish(&mut self, out: &mut VecDeque<Frame>) {
        if let Framer::Records(records) = self {
            records.finish(out);
        }
    }

    /// A new connection starts reading afresh.
    fn restart(&mut self) {
        match self {
            Framer::Events(parser) => parser.restart(),
            Framer::Records(records) => records.restart(),
        }
    }

    fn events(&self) -> Option<&SseParser> {
        match self {
            Framer::Events(parser) => Some(parser),
            Framer::Records(_) => None,
        }
    }
}

impl<E> Resume<E> {
    /// The outcome of the reconnection in flight, once its delay and its answer's head
    /// have passed; `None` when there is none.
    fn poll_reopen(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Source, Error<E>>>> {
        let Some(reopening) = &mut self.reopening else { return Poll::Ready(None) };
        if let Some(delay) = &mut self.delay {
            std::task::ready!(delay.as_mut().poll(cx));
            self.delay = None;
        }
        let outcome = std::task::ready!(reopening.as_mut().poll(cx));
        self.reopening = None;
        Poll::Ready(Some(outcome))
    }

    /// True the first time the event `id` comes; remembers it.
    fn first_time(&mut self, id: &str) -> bool {
        if self.seen_set.contains(id) {
            return false;
        }
        self.seen_set.insert(id.to_string());
        self.seen.push_back(id.to_string());
        if self.seen.len() > REMEMBERED_IDS
            && let Some(oldest) = self.seen.pop_front()
        {
            self.seen_set.remove(&oldest);
        }
        true
    }
}

impl<T, E> Stream for Events<T, E> {
    type Item = Item<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

impl<T, E> std::fmt::Debug for Events<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("status", &self.source.status)
            .field("format", &self.format)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}
