//! Selection: `x-authgen-operations` at the document root lists the operations to
//! generate (operationIds, and `tag:<name>` for every operation with that tag); the
//! others are not lowered at all, and only the types the chosen ones reach are kept.
//! Five operations of Stripe need a few hundred of its thousands of types.

use openapiv3::Operation as OaOperation;
use serde_json::Value;

use crate::diagnostics::{Pointer, Problems};

/// The extension that selects operations.
pub const EXTENSION: &str = "x-authgen-operations";

const HINT: &str = "list operationIds and `tag:<name>` entries, e.g. [createCustomer, 'tag:Tokens']";

/// The entries of `x-authgen-operations`, and which of them selected something.
#[derive(Debug)]
pub(super) struct Selection {
    entries: Vec<String>,
    used: Vec<bool>,
}

impl Selection {
    /// The selection the document states, if it states one; a malformed one is a
    /// problem (and selects nothing).
    pub(super) fn read(
        extensions: &indexmap::IndexMap<String, Value>,
        problems: &mut Problems,
    ) -> Option<Self> {
        let at = Pointer::root().join(EXTENSION);
        let value = extensions.get(EXTENSION)?;
        let Some(items) = value.as_array() else {
            problems.push(&at, format!("`{EXTENSION}` is not a list"), HINT);
            return Some(Selection { entries: Vec::new(), used: Vec::new() });
        };
        let mut entries = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(entry) => entries.push(entry.to_string()),
                None => {
                    problems.push(&at.join(index), format!("`{item}` is not an operationId or a tag"), HINT)
                }
            }
        }
        Some(Selection { used: vec![false; entries.len()], entries })
    }

    /// Whether `op` is selected: by its operationId or by one of its tags.
    pub(super) fn selects(&mut self, op: &OaOperation) -> bool {
        let mut selected = false;
        for (entry, used) in self.entries.iter().zip(&mut self.used) {
            let hit = match entry.strip_prefix("tag:") {
                Some(tag) => op.tags.iter().any(|t| t == tag),
                None => op.operation_id.as_deref() == Some(entry.as_str()),
            };
            *used |= hit;
            selected |= hit;
        }
        selected
    }

    /// Each entry that selected no operation is a problem: a misspelt name would
    /// otherwise leave a method out without a word.
    pub(super) fn report_unused(&self, problems: &mut Problems) {
        let at = Pointer::root().join(EXTENSION);
        for (index, entry) in self.entries.iter().enumerate().filter(|(i, _)| !self.used[*i]) {
            let message = match entry.strip_prefix("tag:") {
                Some(tag) => format!("no operation has the tag `{tag}`"),
                None => format!("no operation has the operationId `{entry}`"),
            };
            problems.push(&at.join(index), message, HINT);
        }
    }
}
