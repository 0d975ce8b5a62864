//! Swagger 2.0 -> the OpenAPI 3.0 document it means.

use serde_json::Value;

use super::origins::Origins;
use crate::diagnostics::{Pointer, Problems};

/// Brings a Swagger 2.0 `document` into the OpenAPI 3.0 shape in place, recording in
/// `origins` where each node it moves was written. Problems are pushed with pointers
/// into the document as written.
pub(super) fn convert(document: &mut Value, problems: &mut Problems, origins: &mut Origins) {
    let _ = (document, origins);
    problems.push(
        &Pointer::root().join("swagger"),
        "Swagger 2.0 documents are not supported yet",
        "convert the document to OpenAPI 3",
    );
}
