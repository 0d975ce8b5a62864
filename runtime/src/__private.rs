//! The door generated code comes in by: re-exports only, no code. Not a public API: it
//! changes with the generator. The work is done in the named modules.
//!
//! A generated module names this door once (`use ::authgen_runtime::__private as __rt;`)
//! and everything of the runtime through it, the public types too: one short path
//! instead of thousands of long ones (fewer tokens to format and to compile).

pub use crate::checks::{check_max_length, check_min_length, check_pattern, check_range};
pub use crate::client::{ApiKeyLocation, ClientCore, Credential};
pub use crate::config::{Server, ServerVariable};
pub use crate::exchange::{Multipart, PathStyle, Reply, Request, path_segment, path_styled};
pub use crate::fields::{FieldKey, field, take_field};
pub use crate::operation::{
    Built, CallFuture, Decoded, EventStream, Operation, answered, call, download, events,
};
pub use crate::pages::{Items, Next, Page, Paginate, items};
pub use crate::response::header;
pub use crate::seam::*;
pub use crate::stream::Format;
pub use crate::union::{Tagged, Untagged, no_variant, tagged, untagged};
pub use crate::{
    Binary, CallOptions, Config, ConfigError, DateTime, Events, HeaderMap, Headers, Json, Secret,
    ValidationError, chrono, decode_json, oauth, token, uuid, webhook,
};
pub use reqwest::Method;
pub use serde_json;
