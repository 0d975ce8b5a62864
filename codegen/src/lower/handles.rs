//! Handles: a type is referred to by its index in the module's list of types
//! ([`TypeId`]), never by its name. Lowering makes types as it meets them and completes
//! some later (a component schema is reserved before its shape is known, so that the
//! references to it can be lowered first); once every type exists, [`settle`] fixes the
//! list: what a selection does not reach is dropped, the rest put in the order they
//! were completed, and every handle renumbered.

use std::collections::BTreeSet;

use crate::model::{Operation, TypeDef, TypeId, TypeKind, TypeRef, Webhook};

/// Keeps the types `reached` names (all of them without a selection), in the order of
/// `completed`, and renumbers the handles of the types, operations and webhooks.
/// Returns each old handle's new one (`None`: dropped).
pub(super) fn settle(
    types: &mut Vec<TypeDef>,
    completed: &[TypeId],
    reached: Option<&BTreeSet<TypeId>>,
    operations: &mut [Operation],
    webhooks: &mut [Webhook],
) -> Vec<Option<TypeId>> {
    // Every type is completed once; any left incomplete keeps its place at the end.
    let mut order: Vec<TypeId> = completed.to_vec();
    let listed: BTreeSet<TypeId> = order.iter().copied().collect();
    order.extend((0..types.len()).map(TypeId).filter(|id| !listed.contains(id)));
    order.retain(|id| reached.is_none_or(|r| r.contains(id)));
    let mut renumbered = vec![None; types.len()];
    for (new, old) in order.iter().enumerate() {
        renumbered[old.0] = Some(TypeId(new));
    }
    let mut old: Vec<Option<TypeDef>> = std::mem::take(types).into_iter().map(Some).collect();
    *types = order.iter().filter_map(|id| old[id.0].take()).collect();
    let renumber = |ty: &mut TypeRef| renumber(ty, &renumbered);
    for def in types.iter_mut() {
        match &mut def.kind {
            TypeKind::Struct(fields) => fields.iter_mut().for_each(|f| renumber(&mut f.ty)),
            TypeKind::Untagged(variants) => variants.iter_mut().for_each(|v| renumber(&mut v.ty)),
            TypeKind::Alias(ty) => renumber(ty),
            TypeKind::Enum(_) => {}
        }
    }
    for op in operations {
        op.params.iter_mut().for_each(|p| renumber(&mut p.ty));
        op.body.iter_mut().for_each(|b| renumber(&mut b.ty));
        op.success.iter_mut().chain(&mut op.errors).filter_map(|r| r.body.as_mut()).for_each(renumber);
        op.pagination.iter_mut().for_each(|p| renumber(&mut p.item));
        op.stream.iter_mut().for_each(|s| renumber(&mut s.item));
        op.headers.iter_mut().for_each(|h| renumber(&mut h.ty));
    }
    webhooks.iter_mut().filter_map(|w| w.payload.as_mut()).for_each(renumber);
    renumbered
}

pub(super) fn renumber(ty: &mut TypeRef, renumbered: &[Option<TypeId>]) {
    match ty {
        // What kept types and operations hold is reached, so kept: `Json` cannot happen.
        TypeRef::Named(id) => *ty = renumbered[id.0].map_or(TypeRef::Json, TypeRef::Named),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => renumber(inner, renumbered),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Checks, Field};

    fn holder(name: &str, of: TypeId) -> TypeDef {
        let field = Field {
            name: "f".into(),
            wire: "f".into(),
            ty: TypeRef::Vec(Box::new(TypeRef::Named(of))),
            required: true,
            nullable: false,
            doc: None,
            checks: Checks::default(),
            boxed: false,
        };
        TypeDef::new(name.into(), None, TypeKind::Struct(vec![field]))
    }

    #[test]
    fn settling_orders_by_completion_drops_the_unreached_and_renumbers() {
        let leaf = || TypeDef::new("Leaf".into(), None, TypeKind::Alias(TypeRef::String));
        // 0 holds 2, completed after it; 1 is not reached.
        let mut types = vec![holder("Outer", TypeId(2)), leaf(), TypeDef { name: "Inner".into(), ..leaf() }];
        let reached: BTreeSet<TypeId> = [TypeId(0), TypeId(2)].into();
        let completed = [TypeId(2), TypeId(1), TypeId(0)];
        let renumbered = settle(&mut types, &completed, Some(&reached), &mut [], &mut []);
        assert_eq!(renumbered, [Some(TypeId(1)), None, Some(TypeId(0))]);
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Inner", "Outer"]);
        let TypeKind::Struct(fields) = &types[1].kind else { unreachable!() };
        assert_eq!(fields[0].ty, TypeRef::Vec(Box::new(TypeRef::Named(TypeId(0)))));
    }
}
