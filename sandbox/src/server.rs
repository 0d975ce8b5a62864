//! The HTTPS server: accepts TLS connections, counts requests, applies faults, and
//! hands each request to its provider's contract.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::CONTENT_TYPE;
use hyper::{Request, Response};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::jwt::Signer;
use crate::{Credentials, Fault, Options, Provider, providers};

/// What every request of one sandbox shares.
pub(crate) struct Shared {
    pub provider: Provider,
    pub credentials: Credentials,
    pub options: Options,
    pub signer: Signer,
    pub requests: AtomicU64,
    pub token_requests: AtomicU64,
    pub fault: ArcSwapOption<Fault>,
}

/// A request as the contracts see it.
pub(crate) struct Exchange {
    pub method: hyper::Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type_is(&self, media: &str) -> bool {
        self.header("content-type")
            .is_some_and(|v| v.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case(media))
    }
}

/// A contract's answer: a status and a JSON body, or none.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Option<Value>,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Self {
        Answer { status, body: Some(body) }
    }

    pub fn empty(status: u16) -> Self {
        Answer { status, body: None }
    }
}

type Reply = Response<BoxBody<Bytes, Infallible>>;

/// Serves until `shutdown` changes.
pub(crate) async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => continue,
            },
            _ = shutdown.changed() => return,
        };
        let (acceptor, shared, mut shutdown) = (acceptor.clone(), shared.clone(), shutdown.clone());
        tokio::spawn(async move {
            // A failed handshake (no or wrong client certificate) just ends the connection.
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let service = hyper::service::service_fn(move |request| handle(shared.clone(), request));
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service);
            tokio::select! {
                _ = connection => {}
                _ = shutdown.changed() => {}
            }
        });
    }
}

/// The connection is dropped without an answer (the `DropConnection` fault).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Reply, Dropped> {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let fault = shared.fault.load_full();
    if let Some(fault) = fault.as_deref()
        && let Some(reply) = misbehave(fault).await?
    {
        return Ok(reply);
    }
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let exchange = Exchange {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(String::from),
        headers: parts.headers,
        body,
    };
    let answer = providers::answer(&shared, &exchange);
    Ok(reply(answer))
}

fn reply(answer: Answer) -> Reply {
    let builder = Response::builder().status(answer.status);
    let response = match answer.body {
        Some(body) => builder.header(CONTENT_TYPE, "application/json").body(full(body.to_string())),
        None => builder.body(full(String::new())),
    };
    response.unwrap_or_else(|_| Response::new(full(String::new())))
}

fn full(text: String) -> BoxBody<Bytes, Infallible> {
    Full::new(Bytes::from(text)).boxed()
}

/// Applies a fault: `Ok(None)` to go on answering normally afterwards.
async fn misbehave(fault: &Fault) -> Result<Option<Reply>, Dropped> {
    let text = |status: u16, content_type: &str, body: &str| {
        Response::builder()
            .status(status)
            .header(CONTENT_TYPE, content_type)
            .body(full(body.to_string()))
            .ok()
    };
    Ok(match fault {
        Fault::Slow(delay) => {
            tokio::time::sleep(*delay).await;
            None
        }
        Fault::MalformedJson => text(200, "application/json", r#"{"access_token": "tru"#),
        Fault::WrongContentType => text(200, "text/html", "<html><body>Service moved</body></html>"),
        Fault::ServerError => text(500, "application/json", r#"{"message":"internal error"}"#),
        Fault::HugeBody { bytes } => Response::builder()
            .status(200)
            .header(CONTENT_TYPE, "application/json")
            .body(Repeat { left: *bytes }.boxed())
            .ok(),
        Fault::DropConnection => return Err(Dropped),
        Fault::Respond { status, body } => text(*status, "application/json", &body.to_string()),
    })
}

/// A body of `left` bytes, made 64 KiB at a time as the client reads.
struct Repeat {
    left: usize,
}

static CHUNK: [u8; 65536] = [b' '; 65536];

impl Body for Repeat {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(CHUNK.len());
        self.left -= n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&CHUNK[..n])))))
    }
}
