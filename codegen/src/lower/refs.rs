//! Following `$ref`s, one way everywhere: a reference is a JSON pointer (escapes
//! decoded by [`Pointer::from_ref`]); one that names `#/components/<kind>/<name>` is
//! followed through the components, chains included, to the item at the end. A chain
//! that comes back to a name it passed is a cycle, reported with every step.

use indexmap::IndexMap;
use openapiv3::ReferenceOr;

use crate::diagnostics::Pointer;

/// Why a reference leads to no item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unresolved {
    /// It points somewhere other than `#/components/<kind>/`.
    Elsewhere,
    /// It names a component that does not exist.
    Missing,
    /// It goes round: the names passed, the repeated one last.
    Cycle(Vec<String>),
}

impl Unresolved {
    /// The message and hint for `reference`, which should name one of `kind`.
    pub(super) fn explain(&self, reference: &str, kind: &str) -> (String, String) {
        match self {
            Unresolved::Elsewhere => (
                format!("`{reference}` does not point at an item of `#/components/{kind}/`"),
                format!("move the item to components/{kind} and reference it there"),
            ),
            Unresolved::Missing => (
                format!("`{reference}` does not exist"),
                format!("define it under components/{kind} or fix the reference"),
            ),
            Unresolved::Cycle(names) => (
                format!("`$ref` cycle {} never reaches a {}", names.join(" -> "), singular(kind)),
                format!("make one of them a {} instead of a reference", singular(kind)),
            ),
        }
    }
}

/// `schemas` -> `schema`, for messages.
fn singular(kind: &str) -> &str {
    match kind {
        "requestBodies" => "request body",
        kind => kind.strip_suffix('s').unwrap_or(kind),
    }
}

/// The name `reference` gives under `#/components/<kind>/`, unescaped.
pub(super) fn component_name(reference: &str, kind: &str) -> Option<String> {
    let tokens: Vec<String> = Pointer::from_ref(reference)?.tokens().collect();
    match tokens.as_slice() {
        [components, k, name] if components == "components" && k == kind => Some(name.clone()),
        _ => None,
    }
}

/// The item `item` is, or the one its chain of references ends at.
pub(super) fn follow<'a, T>(
    item: &'a ReferenceOr<T>,
    kind: &str,
    components: Option<&'a IndexMap<String, ReferenceOr<T>>>,
) -> Result<&'a T, Unresolved> {
    let mut passed: Vec<String> = Vec::new();
    let mut current = item;
    loop {
        let reference = match current {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => reference,
        };
        let name = component_name(reference, kind).ok_or(Unresolved::Elsewhere)?;
        let seen = passed.contains(&name);
        passed.push(name.clone());
        if seen {
            return Err(Unresolved::Cycle(passed));
        }
        current = components.and_then(|c| c.get(&name)).ok_or(Unresolved::Missing)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(to: &str) -> ReferenceOr<u8> {
        ReferenceOr::Reference { reference: format!("#/components/schemas/{to}") }
    }

    #[test]
    fn chains_are_followed_and_cycles_named() {
        let components: IndexMap<String, ReferenceOr<u8>> = [
            ("a/b".to_string(), reference("C")),
            ("a~b".to_string(), ReferenceOr::Item(8)),
            ("C".to_string(), ReferenceOr::Item(7)),
            ("X".to_string(), reference("Y")),
            ("Y".to_string(), reference("Z")),
            ("Z".to_string(), reference("X")),
        ]
        .into_iter()
        .collect();
        let at = |to: &str| follow(&reference(to), "schemas", Some(&components)).cloned();
        assert_eq!(at("a~01b"), Err(Unresolved::Missing), "`~01` is `~1`, not `/`");
        assert_eq!(at("a~1b"), Ok(7));
        assert_eq!(at("a~0b"), Ok(8));
        assert_eq!(at("X"), Err(Unresolved::Cycle(vec!["X".into(), "Y".into(), "Z".into(), "X".into()])));
        let elsewhere = ReferenceOr::Reference { reference: "#/components/responses/C".into() };
        assert_eq!(follow(&elsewhere, "schemas", Some(&components)), Err(Unresolved::Elsewhere));
    }
}
