//! Following `$ref`s in the loaded document, by JSON pointer: the one way every reader
//! of it (the mock server, reading the schema at a pointer the model gives) goes from
//! a reference to what it names, with a cycle told apart from a reference to nothing.

use serde_json::Value;

use crate::diagnostics::Pointer;

/// Why a chain of `$ref`s ends nowhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unfollowed {
    /// A reference names no node of the document (or is not a local `#/…` one).
    #[error("`{0}` leads nowhere in the document")]
    Missing(String),
    /// The references go round: every pointer of the cycle, the first again at the end.
    #[error("its `$ref`s go round: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
}

/// `value` (found at `at`), or the node its chain of `$ref`s ends at, with that node's
/// pointer.
pub fn follow<'d>(
    doc: &'d Value,
    value: &'d Value,
    at: &Pointer,
) -> Result<(&'d Value, Pointer), Unfollowed> {
    let mut current = (value, at.clone());
    let mut seen: Vec<String> = Vec::new();
    while let Some(reference) = current.0.get("$ref").and_then(Value::as_str) {
        let missing = || Unfollowed::Missing(reference.to_string());
        let pointer = Pointer::from_ref(reference).ok_or_else(missing)?;
        if let Some(start) = seen.iter().position(|p| *p == pointer.to_string()) {
            let mut cycle = seen.split_off(start);
            cycle.push(pointer.to_string());
            return Err(Unfollowed::Cycle(cycle));
        }
        seen.push(pointer.to_string());
        current = (doc.pointer(pointer.as_json_pointer()).ok_or_else(missing)?, pointer);
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_are_followed_to_their_end_and_cycles_are_told_apart() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "C": {"$ref": "#/components/schemas/D"},
            "D": {"$ref": "#/components/schemas/C"},
            "a/b": {"type": "integer"}
        }}});
        let (a, slash) =
            (json!({"$ref": "#/components/schemas/A"}), json!({"$ref": "#/components/schemas/a~1b"}));
        let (found, at) = follow(&doc, &a, &Pointer::root()).unwrap();
        assert_eq!((found, at.to_string().as_str()), (&json!({"type": "string"}), "#/components/schemas/B"));
        let slash = follow(&doc, &slash, &Pointer::root()).unwrap();
        assert_eq!(slash.0, &json!({"type": "integer"}));
        assert_eq!(
            follow(&doc, &json!({"$ref": "#/components/schemas/C"}), &Pointer::root())
                .unwrap_err()
                .to_string(),
            "its `$ref`s go round: #/components/schemas/C -> #/components/schemas/D -> #/components/schemas/C"
        );
        assert_eq!(
            follow(&doc, &json!({"$ref": "#/components/schemas/E"}), &Pointer::root()),
            Err(Unfollowed::Missing("#/components/schemas/E".into()))
        );
    }
}
