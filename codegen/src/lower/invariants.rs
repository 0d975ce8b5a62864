//! The model's promises, checked after lowering and before emit: a type that travels
//! in a direction derives the serde trait for it, and so does every type it holds.
//! A broken promise is a generator bug; caught here, it names the type, instead of
//! surfacing as a rustc error in a user's build.

use super::usage;
use crate::model::{Api, TypeDef, TypeRef};

/// A serde direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Serialize,
    Deserialize,
}

impl Direction {
    fn derived_by(self, def: &TypeDef) -> bool {
        match self {
            Direction::Serialize => def.serialize,
            Direction::Deserialize => def.deserialize,
        }
    }
}

/// Every use of a type that its derives do not cover, as a sentence naming both ends.
pub fn derive_gaps(api: &Api) -> Vec<String> {
    let mut gaps = Vec::new();
    let mut check = |ty: &TypeRef, direction: Direction, user: &str| {
        let Some((id, _)) = usage::named_in(ty) else { return };
        match api.types.get(id.0) {
            None => gaps.push(format!("{user} uses type {}, which is not defined", id.0)),
            Some(def) if !direction.derived_by(def) => {
                gaps.push(format!("{user} needs `{}` to derive `{direction:?}`, which it does not", def.name))
            }
            Some(_) => {}
        }
    };
    for ty in usage::sent(&api.operations) {
        check(ty, Direction::Serialize, "a request");
    }
    for ty in usage::received(&api.operations, &api.webhooks) {
        check(ty, Direction::Deserialize, "a response");
    }
    for def in &api.types {
        let user = format!("`{}`", def.name);
        for direction in
            [Direction::Serialize, Direction::Deserialize].into_iter().filter(|d| d.derived_by(def))
        {
            for child in usage::children(&def.kind) {
                check(child, direction, &user);
            }
        }
    }
    gaps.dedup();
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Checks, Field, TypeId, TypeKind};

    fn def(name: &str, kind: TypeKind, serialize: bool, deserialize: bool) -> TypeDef {
        TypeDef { serialize, deserialize, ..TypeDef::new(name.into(), None, kind) }
    }

    fn holder_of(inner: usize) -> TypeKind {
        TypeKind::Struct(vec![Field {
            name: "inner".into(),
            wire: "inner".into(),
            ty: TypeRef::Vec(Box::new(TypeRef::Named(TypeId(inner)))),
            required: true,
            nullable: false,
            doc: None,
            checks: Checks::default(),
            boxed: false,
        }])
    }

    fn api(types: Vec<TypeDef>) -> Api {
        Api {
            source: "x.yaml".into(),
            overlays: Vec::new(),
            title: String::new(),
            description: None,
            version: String::new(),
            servers: Vec::new(),
            schemes: Vec::new(),
            types,
            operations: Vec::new(),
            webhooks: Vec::new(),
            webhook_signature: None,
            skipped: Vec::new(),
            warnings: Vec::new(),
            examples: Vec::new(),
        }
    }

    #[test]
    fn a_held_type_missing_its_holders_derive_is_caught() {
        let wrong = api(vec![
            def("Outer", holder_of(1), true, true),
            def("Inner", TypeKind::Alias(TypeRef::String), false, true),
        ]);
        assert_eq!(derive_gaps(&wrong), ["`Outer` needs `Inner` to derive `Serialize`, which it does not"]);
        let right = api(vec![
            def("Outer", holder_of(1), false, true),
            def("Inner", TypeKind::Alias(TypeRef::String), false, true),
        ]);
        assert!(derive_gaps(&right).is_empty());
    }

    #[test]
    fn a_dangling_name_is_caught() {
        let wrong = api(vec![def("Outer", holder_of(7), true, true)]);
        assert_eq!(derive_gaps(&wrong), ["`Outer` uses type 7, which is not defined"]);
    }
}
