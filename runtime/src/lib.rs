//! The runtime of authgen-generated clients: everything a generated module calls, so
//! that generated code stays thin and this, the part that deals with TLS, credentials,
//! secrets and failure, is written and tested once.
//!
//! - [`Config`]: base URL and server variables, TLS client identity (mutual TLS) and
//!   extra roots, timeouts, the response size limit, the HTTPS rule.
//! - [`RetryPolicy`]: which failed exchanges are sent again, and when.
//! - [`Hook`]: see and change each request before it goes, each response as it comes.
//! - [`Error`]: what an operation can fail with, in the user's terms.
//! - [`Secret`]: credentials and tokens that never print.
//! - [`Binary`]: file uploads, octet-stream bodies and downloads.
//! - [`token`]: access tokens, their lifetimes, and a single-flight cache.
#![deny(missing_docs)]

mod binary;
mod config;
mod error;
mod hook;
mod retry;
mod secret;
pub mod token;

#[doc(hidden)]
pub mod __private;

pub use binary::Binary;
pub use config::{Config, ConfigError};
pub use error::{Error, RawBody, TransportError, TransportKind, ValidationError};
pub use hook::Hook;
/// The HTTP client the runtime uses, for writing a [`Hook`] without a dependency of your own.
pub use reqwest;
pub use reqwest::StatusCode;
pub use retry::RetryPolicy;
pub use secret::Secret;
