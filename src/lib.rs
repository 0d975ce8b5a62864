//! Typed API clients generated at build time from the OpenAPI documents in `specs/`:
//! one module per document, named after its file (`specs/core_banking.yaml` is
//! [`core_banking`]). Each module has a `Client` with one method per operation, which
//! takes the operation's required values and returns a `Call`: optional parameters and
//! per-call options are set on it, and `.await` sends it. Requests and responses are
//! typed, and each operation has an error enum.
//!
//! The generated text is also committed under `generated/`, to read and to diff.

include!(concat!(env!("OUT_DIR"), "/clients.rs"));

/// The runtime the clients use: [`Config`](runtime::Config), [`Error`](runtime::Error),
/// [`Secret`](runtime::Secret).
pub use authgen_runtime as runtime;

/// The README's examples, compiled by `cargo test` so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
