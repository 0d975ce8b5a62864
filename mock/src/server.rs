//! Serving over HTTP/1.1 with keep-alive (hyper): each connection on its own task,
//! each request checked and answered by the [`Api`], with the in-process handle's
//! overrides and recordings.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::HeaderValue;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::answer::Payload;
use crate::respond::{Exchange, Reply};
use crate::spec::Api;
use crate::{Answer, Recorded};

/// The largest request body read (16 MiB); a larger one is answered 413.
const BODY_LIMIT: usize = 16 << 20;

/// An operation's answers set by a test.
#[derive(Default)]
struct Override {
    queue: VecDeque<Answer>,
    always: Option<Answer>,
    delay: Duration,
}

/// What every connection of one server shares.
pub(crate) struct State {
    pub api: Api,
    overrides: Mutex<HashMap<usize, Override>>,
    /// Whether any override was ever set: requests skip the lock until then.
    overridden: AtomicBool,
    recorded: Option<Mutex<Vec<Recorded>>>,
}

impl State {
    pub(crate) fn new(api: Api, record: bool) -> State {
        State {
            api,
            overrides: Mutex::default(),
            overridden: AtomicBool::new(false),
            recorded: record.then(Mutex::default),
        }
    }

    fn overrides(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Override>> {
        self.overrides.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers `operation` with `answers` in turn, then `always` (if given) or the spec.
    pub(crate) fn set(&self, operation: usize, answers: Vec<Answer>, always: Option<Answer>) {
        let mut overrides = self.overrides();
        let entry = overrides.entry(operation).or_default();
        entry.queue = answers.into();
        entry.always = always;
        self.overridden.store(true, Ordering::Release);
    }

    pub(crate) fn set_delay(&self, operation: usize, delay: Duration) {
        self.overrides().entry(operation).or_default().delay = delay;
        self.overridden.store(true, Ordering::Release);
    }

    pub(crate) fn reset(&self) {
        self.overrides().clear();
        if let Some(recorded) = &self.recorded {
            recorded.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    pub(crate) fn recorded(&self) -> Vec<Recorded> {
        self.recorded
            .as_ref()
            .map(|r| r.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default()
    }

    /// The delay and the test's answer for a call of `operation`, if it set them.
    fn take_override(&self, operation: usize) -> (Duration, Option<Answer>) {
        if !self.overridden.load(Ordering::Acquire) {
            return (Duration::ZERO, None);
        }
        let mut overrides = self.overrides();
        let Some(entry) = overrides.get_mut(&operation) else { return (Duration::ZERO, None) };
        let answer = entry.queue.pop_front().or_else(|| entry.always.clone());
        (entry.delay, answer)
    }

    fn record(&self, ex: &Exchange, operation: Option<usize>, status: StatusCode) {
        let Some(recorded) = &self.recorded else { return };
        let headers = ex
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let entry = Recorded {
            method: ex.method.to_string(),
            path: ex.path.to_string(),
            query: ex.query.map(String::from),
            headers,
            body: Bytes::copy_from_slice(ex.body),
            operation: operation.map(|op| self.api.operations[op].label.clone()),
            status: status.as_u16(),
        };
        recorded.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
    }
}

/// Accepts connections on `listener` until `stop` changes.
pub(crate) async fn serve(listener: TcpListener, state: Arc<State>, mut stop: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, most likely: let connections close first.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(&state, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(state: &State, request: Request<Incoming>) -> Response<MockBody> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return too_large(),
    };
    let ex = Exchange {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    let (operation, reply) = match state.api.check(&ex) {
        Err((operation, reply)) => (operation, reply),
        Ok(op) => {
            let (delay, answer) = state.take_override(op);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            (Some(op), answer.map_or_else(|| state.api.answer(op, &ex), Answer::into_reply))
        }
    };
    state.record(&ex, operation, reply.status);
    response(reply)
}

fn too_large() -> Response<MockBody> {
    let detail = format!("the body is larger than the mock reads ({BODY_LIMIT} bytes)");
    let body = crate::problem::plain(413, "Payload Too Large", &detail);
    let mut response = Response::new(MockBody::Whole(Some(body)));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

fn response(reply: Reply) -> Response<MockBody> {
    let body = match reply.body {
        Payload::Whole(bytes) => MockBody::Whole(Some(bytes)),
        Payload::Items(items) => MockBody::Items { items, next: 0, paused: false },
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        headers.append(name, value);
    }
    response
}

/// A body sent whole, or item by item with a flush between items (a stream's
/// consumer sees each item as it comes).
pub(crate) enum MockBody {
    Whole(Option<Bytes>),
    Items { items: Arc<[Bytes]>, next: usize, paused: bool },
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            MockBody::Whole(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            MockBody::Items { items, next, paused } => {
                let Some(item) = items.get(*next) else { return Poll::Ready(None) };
                if *paused {
                    // Pending lets hyper write out what it holds before the next item.
                    *paused = false;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                *paused = true;
                *next += 1;
                Poll::Ready(Some(Ok(Frame::data(item.clone()))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            MockBody::Whole(bytes) => bytes.is_none(),
            MockBody::Items { items, next, .. } => *next >= items.len(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            MockBody::Whole(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            MockBody::Items { .. } => SizeHint::default(),
        }
    }
}
