//! The runtime of authgen-generated clients: everything a generated module calls, so
//! that generated code stays thin and this, the part that deals with TLS, credentials,
//! secrets and failure, is written and tested once.
//!
//! - [`Config`]: base URL and server variables, TLS client identity (mutual TLS) and
//!   extra roots, timeouts, the response size limit, the HTTPS rule.
//! - [`CallOptions`]: a timeout, headers, a retry policy or an idempotency key for one
//!   call (a generated `Call` sets them).
//! - [`RetryPolicy`]: which failed exchanges are sent again, and when.
//! - [`Hook`]: see and change each request before it goes, each response as it comes.
//! - [`Config::layer`]: tower middleware around each attempt; [`RateLimit`]: a
//!   provider's quota, per credential, in process or shared by a fleet.
//! - [`Error`]: what an operation can fail with, in the user's terms.
//! - [`Secret`]: credentials and tokens that never print.
//! - [`Binary`]: file uploads, octet-stream bodies and downloads; from a file or a
//!   stream without reading it into memory.
//! - [`Events`]: an event stream's typed items (server-sent events, NDJSON), as they
//!   arrive; [`Download`]: a binary body chunk by chunk.
//! - [`Response`]: a call's result with its status and headers (`.with_response()`).
//! - [`token`]: access tokens, their lifetimes, and a single-flight cache.
//! - [`oauth`]: OAuth 2.0 and OpenID Connect flows as token sources: client credentials,
//!   refresh tokens, authorization code with PKCE, device authorization, token exchange,
//!   JWT bearer; every client authentication method, discovery, and DPoP.
//! - [`webhook`]: the requests an API sends you, verified by their provider's signature
//!   scheme, then decoded into the document's event type.
//!
//! # What an operator sees: tracing and metrics
//!
//! Every call is a [`tracing`](https://docs.rs/tracing) span `authgen.call` whose fields
//! follow OpenTelemetry's HTTP client conventions: `otel.name` (`GET /api/v2/{object}`),
//! `otel.kind` (`client`), `http.request.method`, `url.template` (the spec's template,
//! never the values put into it), `server.address`, `server.port` and
//! `authgen.operation` (the generated method's name); when it ends,
//! `http.response.status_code`, `error.type` (the status of an error answer, or
//! `timeout`, `connect`, `tls`, …) with `otel.status_code = ERROR`,
//! `http.request.resend_count` when it was retried, and `authgen.duration_ms` (a
//! stream's span lasts to its end and adds `authgen.stream.items` and `.bytes`). Each
//! retry is an INFO event `retrying` with `attempt`, `reason` and `wait_ms`.
//!
//! A [`TokenCache`](token::TokenCache) emits `token refresh started` and `token
//! refreshed` at DEBUG, `token refresh failed` at WARN (with the status and whether it
//! is permanent), `token refresh backing off` at DEBUG and `token cache hit` at TRACE,
//! each with `source` (`uqudo.get_token`). The fleet's shared cache and shared
//! [`RateLimit`] say once at WARN when Redis becomes unreachable and once at INFO when
//! it answers again; the [`oauth`] flows' events name the scheme and the flow.
//!
//! Metrics go through the `opentelemetry` API to the global meter provider the
//! application installs: `http.client.request.duration` (one point per call) and
//! `authgen.client.retries`, `authgen.token.fetches`, `authgen.token.cache.lookups`,
//! `authgen.token.waiters`, `authgen.token.lease.takeovers`, `authgen.stream.items`,
//! `authgen.rate_limit.wait` (the repository's `docs/middleware.md` lists their
//! attributes). Instruments are made at first use: install the provider before the
//! first call.
//!
//! No field or attribute carries a credential, a token, a query value or a body value
//! (the root crate's `tests/tracing.rs` captures every span and event of a tour-like
//! run, and `tests/telemetry.rs` every exported span and metric, and check). Install any
//! subscriber (`tracing-subscriber`, `tracing-opentelemetry`) to see the spans; with
//! none, each costs a relaxed atomic load.
//!
//! # Around every attempt: layers and rate limits
//!
//! [`Config::layer`] wraps each attempt in a [`tower::Layer`] (a signer that awaits, a
//! concurrency cap, a circuit breaker); [`RateLimit`] keeps a provider's quota, in
//! process or for a whole fleet through Redis.
#![deny(missing_docs)]

mod binary;
mod call;
mod checks;
mod client;
mod config;
mod decode;
mod error;
mod exchange;
mod fields;
mod hook;
mod layer;
mod lenient;
pub mod oauth;
mod operation;
mod pages;
mod rate_limit;
mod response;
mod retry;
mod seam;
mod secret;
mod stream;
mod telemetry;
pub mod token;
mod union;
pub mod webhook;

#[doc(hidden)]
pub mod __private;

pub use binary::Binary;
/// The chunks of a [`Download`] and of a [`Binary::from_stream`].
pub use bytes::Bytes;
pub use call::CallOptions;
/// The date and time types of `format: date-time` (`DateTime<Utc>`) and `format: date`
/// (`NaiveDate`) values.
pub use chrono;
pub use pages::Items;
/// A `format: date-time` value: an instant, read from RFC 3339 text with any offset and
/// converted to UTC. A value that does not parse is an [`Error::Decode`] naming its field
/// (``at `time_created`: …``), never quoting the value.
pub type DateTime = chrono::DateTime<chrono::Utc>;
/// A value the spec leaves untyped: any JSON.
pub type Json = serde_json::Value;
pub use config::{Config, ConfigError};
pub use decode::decode_json;
pub use error::{Error, RawBody, TransportError, TransportKind, ValidationError};
pub use hook::Hook;
pub use layer::{AttemptService, BoxError};
pub use rate_limit::{RateLimit, RateLimited};
/// The HTTP client the runtime uses, for writing a [`Hook`] without a dependency of your own.
pub use reqwest;
pub use reqwest::StatusCode;
/// The headers of an answer ([`Response::headers`], [`Error::headers`]).
pub use reqwest::header::HeaderMap;
pub use response::{Headers, Response};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use stream::{Download, Events};
/// The middleware crate whose `Layer`s [`Config::layer`] takes.
pub use tower;
/// The type of `format: uuid` values (`Uuid`).
pub use uuid;
