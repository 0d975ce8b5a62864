//! OpenAPI documents to typed Rust client modules.
#![deny(missing_docs)]

pub mod diagnostics;
