//! The exchange: a [`Request`] built from an operation's parameters, sent as the retry
//! policy says, and its [`Reply`] read (bounded) and decoded.
//!
//! - `request`: parameters, bodies, per-call options and credentials onto a request;
//! - `send`: attempts, the bearer token of a cache, hooks, the call's tracing span;
//! - `response`: the answer read into memory (or, streamed, left to read) and decoded,
//!   status by status;
//! - `encode`: the OpenAPI parameter styles and form bodies (`flat_form`: those of
//!   scalar fields, written directly); `multipart`: its bodies;
//! - `challenge`: what a 401's or 403's `WWW-Authenticate` asks for.

mod challenge;
mod encode;
mod flat_form;
mod multipart;
mod request;
mod response;
mod send;
mod steps;

pub use encode::{PathStyle, path_segment, path_styled};
pub use multipart::Multipart;
pub use request::Request;
pub use response::Reply;
