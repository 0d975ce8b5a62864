//! What each type is for, found by walking from the operations: the types a request
//! carries need `Serialize` (and `validate` where they have limits), the types a
//! response carries need `Deserialize`. Deriving only what is used keeps the generated
//! crate quick to compile; a type no operation uses keeps both.

use std::collections::BTreeSet;

use crate::model::{Decoding, Operation, TypeDef, TypeId, TypeKind, TypeRef, Webhook};

/// The types reachable from `roots`.
pub fn reachable<'t>(types: &'t [TypeDef], roots: impl IntoIterator<Item = &'t TypeRef>) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&TypeRef> = roots.into_iter().collect();
    while let Some(ty) = todo.pop() {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) => todo.push(inner),
            TypeRef::Named(id) if seen.insert(*id) => {
                if let Some(def) = types.get(id.0) {
                    todo.extend(children(&def.kind));
                }
            }
            _ => {}
        }
    }
    seen
}

/// The types a value of this kind holds.
pub fn children(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct(fields) => fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Untagged(variants) => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(ty) => vec![ty],
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// Every type the operations name: parameters, bodies, responses.
pub fn used(operations: &[Operation]) -> impl Iterator<Item = &TypeRef> {
    let responses = operations.iter().flat_map(|op| op.success.iter().chain(&op.errors));
    let answers = operations.iter().flat_map(Operation::answer_types);
    sent(operations).chain(responses.filter_map(|r| r.body.as_ref())).chain(answers)
}

/// The types requests carry: bodies and parameters.
pub fn sent(operations: &[Operation]) -> impl Iterator<Item = &TypeRef> {
    operations.iter().flat_map(|op| op.body.iter().map(|b| &b.ty).chain(op.params.iter().map(|p| &p.ty)))
}

/// Marks the types that some request body carries and that have limits to check:
/// they get a `validate` method.
pub fn mark_validated(types: &mut [TypeDef], operations: &[Operation]) {
    let bodies = operations.iter().filter_map(|op| op.body.as_ref().map(|b| &b.ty));
    let reachable = reachable(types, bodies);
    let mut checked: BTreeSet<TypeId> = BTreeSet::new();
    // Grow the set of types with checks until it is stable: a type has checks if a
    // field has limits or a field's type has checks.
    loop {
        let before = checked.len();
        for (id, def) in ids(types).filter(|(id, _)| reachable.contains(id)) {
            let has = match &def.kind {
                TypeKind::Struct(fields) => {
                    fields.iter().any(|f| !f.checks.is_empty() || mentions(&f.ty, &checked))
                }
                TypeKind::Untagged(variants) => variants.iter().any(|v| mentions(&v.ty, &checked)),
                // Aliases and enums have no `validate` of their own.
                TypeKind::Alias(_) | TypeKind::Enum(_) => false,
            };
            if has {
                checked.insert(id);
            }
        }
        if checked.len() == before {
            break;
        }
    }
    for (id, def) in types.iter_mut().enumerate() {
        def.validated = checked.contains(&TypeId(id));
    }
}

/// Each type with its handle.
pub fn ids(types: &[TypeDef]) -> impl Iterator<Item = (TypeId, &TypeDef)> {
    types.iter().enumerate().map(|(i, def)| (TypeId(i), def))
}

fn mentions(ty: &TypeRef, ids: &BTreeSet<TypeId>) -> bool {
    named_in(ty).is_some_and(|(id, _)| ids.contains(&id))
}

/// The named type inside `ty` (through `Vec`s and maps), and whether it stands bare
/// rather than in such a container.
pub fn named_in(ty: &TypeRef) -> Option<(TypeId, bool)> {
    match ty {
        TypeRef::Named(id) => Some((*id, true)),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => named_in(inner).map(|(id, _)| (id, false)),
        _ => None,
    }
}

/// The types decoded from JSON: responses, and the bodies of webhooks.
pub fn received<'o>(
    operations: &'o [Operation],
    webhooks: &'o [Webhook],
) -> impl Iterator<Item = &'o TypeRef> {
    let responses = operations.iter().flat_map(|op| op.success.iter().chain(&op.errors));
    let responses = responses.filter(|r| r.decoding == Decoding::Json).filter_map(|r| r.body.as_ref());
    let answers = operations.iter().flat_map(Operation::answer_types);
    responses.chain(answers).chain(webhooks.iter().filter_map(|w| w.payload.as_ref()))
}

/// Sets which serde traits each type derives: `Serialize` where a request reaches it,
/// `Deserialize` where a response does. A type no operation reaches derives both (a
/// user may want it either way), and so does everything it holds, since a derive
/// needs the same derive on every type inside.
pub fn mark_directions(types: &mut [TypeDef], operations: &[Operation], webhooks: &[Webhook]) {
    let (sent_names, received_names) =
        (reachable(types, sent(operations)), reachable(types, received(operations, webhooks)));
    let unused: Vec<TypeRef> = (0..types.len())
        .map(TypeId)
        .filter(|id| !sent_names.contains(id) && !received_names.contains(id))
        .map(TypeRef::Named)
        .collect();
    let serialized = reachable(types, sent(operations).chain(&unused));
    let deserialized = reachable(types, received(operations, webhooks).chain(&unused));
    for (id, def) in types.iter_mut().enumerate() {
        def.serialize = serialized.contains(&TypeId(id));
        def.deserialize = deserialized.contains(&TypeId(id));
    }
}
