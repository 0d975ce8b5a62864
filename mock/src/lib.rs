//! A mock server from any OpenAPI document the generator accepts: it checks each
//! request against the spec and answers from it, so code that uses a generated client
//! can be tested without the provider and without a hand-written server.
//!
//! The document is read by the generator itself (`authgen_codegen::read_with`: the same
//! overlays, 3.1 adaptation and `$ref`s), and the mock serves the operations of its
//! model, the generated client's methods, with the model's security, token fields and
//! media types. Then, for each request:
//!
//! - a path no template fits answers 404; a path that fits with another method, 405
//!   with `Allow`;
//! - a secured operation without the credentials its requirement asks for answers 401
//!   with `WWW-Authenticate` (presence is what is checked);
//! - parameters that break their schema answer 400, a JSON or form body that breaks
//!   its schema 422 (a malformed one 400, an undocumented media type 415), each as
//!   `application/problem+json` listing every failure by parameter name or body pointer;
//! - anything else answers the operation's first documented 2xx from the spec: its
//!   example, else one built from the schema. `Prefer: code=404`, `Prefer:
//!   example=NAME` and `Prefer: dynamic=true` pick another.
//!
//! In a test, start it in-process, point a generated client at it, and look at what it
//! received:
//!
//! ```
//! use authgen::runtime::Config;
//! use authgen::uqudo::{Client, GrantType, TokenRequest};
//! use authgen_mock::{Answer, MockServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = MockServer::start("../specs/uqudo.yaml")?;
//! let client = Client::new(Config::new().base_url(mock.url()).allow_http_loopback(true))?;
//! let request = TokenRequest {
//!     grant_type: GrantType::ClientCredentials,
//!     client_id: "id".into(),
//!     client_secret: "secret".into(),
//! };
//! let token = client.get_token(request.clone()).await?;
//! assert_eq!(token.expires_in, 1800); // the spec's example; the token is a fresh one
//!
//! // The provider fails twice, then answers as the spec says.
//! mock.answers("get_token", [Answer::status(503), Answer::status(503)]);
//! assert!(client.get_token(request.clone()).await.is_err());
//! assert_eq!(mock.requests().last().unwrap().status, 503);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod answer;
mod body;
mod doc;
mod example;
mod params;
mod pattern;
mod problem;
mod respond;
mod route;
mod schema;
mod security;
mod server;
mod spec;
mod token;
mod values;
mod webhook;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{self, HeaderName, HeaderValue};

use crate::answer::{Payload, Source};
use crate::respond::Reply;
use crate::server::State;
pub use crate::spec::LoadError;
pub use crate::webhook::{Webhook, WebhookError};

/// Why a mock server did not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The document cannot be served.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The port cannot be bound, or the server's thread not started.
    #[error("cannot serve on 127.0.0.1:{port}: {source}")]
    Io {
        /// The port asked for.
        port: u16,
        /// What the system said.
        source: std::io::Error,
    },
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// `GET`, `POST`, ….
    pub method: String,
    /// The path, as sent (percent-encoded).
    pub path: String,
    /// The query string, as sent.
    pub query: Option<String>,
    /// The headers, in order; names lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
    /// The operation it called (`operationId`, else `METHOD /path`), where it matched one.
    pub operation: Option<String>,
    /// The status it was answered.
    pub status: u16,
}

impl Recorded {
    /// The value of header `name` (any case), if it was sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An answer a test sets for an operation instead of the spec's.
#[derive(Debug, Clone)]
pub struct Answer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl Answer {
    /// `status` with no body. A status that is not one (below 100, above 999) is a 500.
    pub fn status(status: u16) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// `status` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Answer {
        Answer::status(status).body("application/json", body.to_string())
    }

    /// This answer with `body` of `content_type`.
    pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> Answer {
        self.body = body.into();
        self = self.header("content-type", content_type);
        self
    }

    /// This answer with the header `name: value` added (left out if either is not
    /// valid in a header).
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            if name == header::CONTENT_TYPE {
                self.headers.retain(|(n, _)| n != header::CONTENT_TYPE);
            }
            self.headers.push((name, value));
        }
        self
    }

    fn into_reply(self) -> Reply {
        Reply { status: self.status, headers: self.headers, body: Payload::Whole(self.body) }
    }
}

/// What a [`MockServer`] answers with, by where the bodies came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Served {
    /// Answers that are the document's own example, as written.
    pub documented: usize,
    /// Answers built from their schemas (the document has no example the generated
    /// client decodes).
    pub built: usize,
}

/// How to start a [`MockServer`].
#[derive(Debug, Clone)]
pub struct Builder {
    spec: PathBuf,
    overlays: Vec<PathBuf>,
    port: u16,
    threads: usize,
    record: bool,
    check_answers: bool,
}

impl Builder {
    /// Applies the overlay at `path` after the one beside the spec.
    pub fn overlay(mut self, path: impl Into<PathBuf>) -> Self {
        self.overlays.push(path.into());
        self
    }

    /// Serves on this port (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Serves on this many threads (default 1; 0: one per core).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Whether to keep every request for [`MockServer::requests`] (default: yes).
    pub fn record(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// Whether to check, at start-up, each answer built from a schema against that
    /// schema, and list those that break it in [`MockServer::warnings`] (default: no).
    /// A check of the generator itself: slow on large, interlinked documents (minutes
    /// on Stripe's), where each schema's checker compiles all it references.
    pub fn check_answers(mut self, check: bool) -> Self {
        self.check_answers = check;
        self
    }

    /// Reads the document and starts serving it on 127.0.0.1.
    pub fn start(self) -> Result<MockServer, Error> {
        let api = spec::Api::load(&self.spec, &self.overlays, self.check_answers)?;
        let io = |source| Error::Io { port: self.port, source };
        let listener =
            std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))).map_err(io)?;
        listener.set_nonblocking(true).map_err(io)?;
        let url = format!("http://{}", listener.local_addr().map_err(io)?);
        let mut runtime = match self.threads {
            1 => tokio::runtime::Builder::new_current_thread(),
            _ => tokio::runtime::Builder::new_multi_thread(),
        };
        if self.threads > 1 {
            runtime.worker_threads(self.threads);
        }
        let runtime = runtime.enable_all().build().map_err(io)?;
        let state = Arc::new(State::new(api, self.record));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let serving = state.clone();
        let thread = std::thread::Builder::new()
            .name("authgen-mock".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => server::serve(listener, serving, stopped).await,
                        Err(err) => eprintln!("authgen-mock: cannot serve: {err}"),
                    }
                })
            })
            .map_err(io)?;
        Ok(MockServer { url, state, stop, thread: Some(thread) })
    }
}

/// A mock server of one document, serving on 127.0.0.1 on a thread of its own until
/// dropped.
pub struct MockServer {
    url: String,
    state: Arc<State>,
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer").field("url", &self.url).field("spec", &self.state.api.file).finish()
    }
}

impl MockServer {
    /// Serves the document at `spec` (with the overlay beside it) on a free port.
    pub fn start(spec: impl AsRef<Path>) -> Result<MockServer, Error> {
        MockServer::builder(spec).start()
    }

    /// A [`Builder`] for the document at `spec`.
    pub fn builder(spec: impl AsRef<Path>) -> Builder {
        Builder {
            spec: spec.as_ref().to_path_buf(),
            overlays: Vec::new(),
            port: 0,
            threads: 1,
            record: true,
            check_answers: false,
        }
    }

    /// The base URL: `http://127.0.0.1:PORT`. Paths are served as the spec writes them.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the mock could not use in the document (an example that breaks its
    /// schema, a parameter without a name), one line each.
    pub fn warnings(&self) -> &[String] {
        &self.state.api.warnings
    }

    /// How many answers (one per documented status and media type) the mock serves
    /// as the document wrote them, and how many it built from their schemas.
    pub fn served(&self) -> Served {
        let media = self.state.api.operations.iter().flat_map(|op| op.answers.media());
        let mut served = Served::default();
        for media in media {
            match media.source {
                Source::Documented => served.documented += 1,
                Source::Built => served.built += 1,
                Source::Neither => {}
            }
        }
        served
    }

    /// The operations served, as recordings name them (`operationId`, else `METHOD
    /// /path`); overrides take these or the generated client's method names.
    pub fn operations(&self) -> impl Iterator<Item = &str> {
        self.state.api.operations.iter().map(|op| op.label.as_str())
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.recorded()
    }

    /// Answers every call of `operation` with `answer` (after the checks: a call that
    /// breaks the spec still gets the mock's own 4xx).
    ///
    /// # Panics
    ///
    /// When the document has no such operation (named by the generated client's method,
    /// `get_token`, or by `operationId`, else `METHOD /path`): a test that names one
    /// wrongly fails at once.
    pub fn answer(&self, operation: &str, answer: Answer) {
        self.state.set(self.operation(operation), Vec::new(), Some(answer));
    }

    /// Answers the next calls of `operation` with `answers`, one each, then as the
    /// spec says: to exercise retries.
    ///
    /// # Panics
    ///
    /// As [`MockServer::answer`].
    pub fn answers(&self, operation: &str, answers: impl IntoIterator<Item = Answer>) {
        self.state.set(self.operation(operation), answers.into_iter().collect(), None);
    }

    /// Waits `delay` before answering each call of `operation`.
    ///
    /// # Panics
    ///
    /// As [`MockServer::answer`].
    pub fn delay(&self, operation: &str, delay: Duration) {
        self.state.set_delay(self.operation(operation), delay);
    }

    /// The document's webhook `name`, signed with `secret` by the scheme the document
    /// declares (`x-authgen-webhooks`, in it or an overlay; else its webhooks' signature
    /// header parameters): the body is the webhook's example, else built from its
    /// schema. With no scheme declared it is unsigned ([`Webhook::signed`] says so).
    pub fn webhook(&self, name: &str, secret: &str) -> Result<Webhook, WebhookError> {
        webhook::build(&self.state.api, name, secret)
    }

    /// Sends [`MockServer::webhook`] to `url`: the status it was answered.
    pub async fn send_webhook(&self, name: &str, url: &str, secret: &str) -> Result<u16, WebhookError> {
        self.webhook(name, secret)?.send(url).await
    }

    /// Forgets every override and recorded request.
    pub fn reset(&self) {
        self.state.reset();
    }

    fn operation(&self, label: &str) -> usize {
        let operations = &self.state.api.operations;
        // A method named by a keyword is written raw (`client.r#move()`): either spelling.
        let method = label.strip_prefix("r#").unwrap_or(label);
        let named = operations.iter().position(|op| op.name == method);
        named.or_else(|| operations.iter().position(|op| op.label == label)).unwrap_or_else(|| {
            let known: Vec<&str> = operations.iter().map(|op| op.name.as_str()).collect();
            panic!("{} has no operation `{label}`; it has: {}", self.state.api.file, known.join(", "))
        })
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
