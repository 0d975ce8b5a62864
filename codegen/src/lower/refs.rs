//! Following `$ref`s, one way everywhere: a reference is a JSON pointer (escapes
//! decoded by [`Pointer::from_ref`]), looked up by the kind of item it should name (a
//! parameter, a response: under `#/components/<kind>/`; a schema: anywhere a schema
//! stands), and followed through chains to the item at the end. A chain that comes
//! back to a reference it passed is a cycle, reported with every step.

use openapiv3::ReferenceOr;

use crate::diagnostics::Pointer;

/// Why a reference leads to no item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unresolved {
    /// It points at something that is not an item of its kind.
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
            Unresolved::Elsewhere if kind == "schemas" => (
                format!("`{reference}` does not point at a schema"),
                "reference a schema: under `#/components/schemas/`, in a `$defs`, or the `schema` of a parameter, body or response".into(),
            ),
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
    let pointer = Pointer::from_ref(reference)?;
    let under_kind = pointer.as_json_pointer().strip_prefix("/components/")?.strip_prefix(kind)?;
    component(under_kind.strip_prefix('/')?)
}

/// How a chain names a reference it passed: by its component name where it has one.
pub(super) fn step_name(reference: &str) -> String {
    let pointer = Pointer::from_ref(reference);
    let under_components = pointer.as_ref().and_then(|p| p.as_json_pointer().strip_prefix("/components/"));
    let name = under_components.and_then(|rest| component(rest.split_once('/')?.1));
    name.unwrap_or_else(|| reference.to_string())
}

/// The one reference token `rest` is, unescaped; `None` where it holds more.
fn component(rest: &str) -> Option<String> {
    (!rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
}

/// The item `item` is, or the one its chain of references ends at, with the last
/// reference of the chain (where the item is defined); `lookup` finds the item a
/// reference points at.
pub(super) fn follow<'a, T>(
    item: &'a ReferenceOr<T>,
    lookup: impl Fn(&str) -> Result<&'a ReferenceOr<T>, Unresolved>,
) -> Result<(&'a T, Option<String>), Unresolved> {
    match item {
        ReferenceOr::Item(item) => Ok((item, None)),
        ReferenceOr::Reference { reference } => {
            follow_ref(reference, lookup).map(|(item, last)| (item, Some(last)))
        }
    }
}

/// The item the chain of references from `reference` ends at, and the chain's last
/// reference.
pub(super) fn follow_ref<'a, T>(
    reference: &str,
    lookup: impl Fn(&str) -> Result<&'a ReferenceOr<T>, Unresolved>,
) -> Result<(&'a T, String), Unresolved> {
    let normal = |r: &str| Pointer::from_ref(r).map(|p| p.to_string()).unwrap_or(r.to_string());
    let mut passed: Vec<String> = vec![reference.to_string()];
    loop {
        let next = match lookup(passed.last().map_or("", String::as_str))? {
            ReferenceOr::Item(item) => return Ok((item, passed.pop().unwrap_or_default())),
            ReferenceOr::Reference { reference } => reference,
        };
        let seen = passed.iter().any(|p| normal(p) == normal(next));
        passed.push(next.clone());
        if seen {
            return Err(Unresolved::Cycle(passed.iter().map(|r| step_name(r)).collect()));
        }
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

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
        let lookup = |r: &str| {
            let name = component_name(r, "schemas").ok_or(Unresolved::Elsewhere)?;
            components.get(&name).ok_or(Unresolved::Missing)
        };
        let at = |to: &str| follow_ref(&format!("#/components/schemas/{to}"), lookup).map(|(n, _)| *n);
        assert_eq!(at("a~01b"), Err(Unresolved::Missing), "`~01` is `~1`, not `/`");
        assert_eq!(at("a~1b"), Ok(7));
        let (_, last) = follow_ref("#/components/schemas/a~1b", lookup).unwrap();
        assert_eq!(last, "#/components/schemas/C", "the item is defined where the chain ends");
        assert_eq!(at("a~0b"), Ok(8));
        assert_eq!(at("X"), Err(Unresolved::Cycle(vec!["X".into(), "Y".into(), "Z".into(), "X".into()])));
        let elsewhere = ReferenceOr::Reference { reference: "#/components/responses/C".into() };
        assert_eq!(follow(&elsewhere, lookup), Err(Unresolved::Elsewhere));
    }
}
