//! The facts emitting needs about the types a value refers to, decided once the types
//! are complete: which values have a `validate` method to call, which fields of a
//! multipart body are file parts, and which types a token source reads. Emitting then
//! reads them off each value and never looks a type up.

use std::collections::BTreeSet;

use crate::model::{BodyEncoding, FilePart, Operation, TypeDef, TypeId, TypeKind, TypeRef, Validate};

/// Fills in [`Validate`] on fields, variants, parameters and bodies, the file parts
/// of multipart bodies, and [`TypeDef::token_answer`].
pub fn decide(types: &mut [TypeDef], operations: &mut [Operation]) {
    mark_token_answers(types, operations);
    let validated: BTreeSet<TypeId> = super::usage::ids(types)
        .filter(|(_, t)| t.validated && matches!(t.kind, TypeKind::Struct(_) | TypeKind::Untagged(_)))
        .map(|(id, _)| id)
        .collect();
    let validate = |ty: &TypeRef| match ty {
        TypeRef::Named(id) if validated.contains(id) => Validate::Value,
        TypeRef::Vec(inner) if matches!(&**inner, TypeRef::Named(id) if validated.contains(id)) => {
            Validate::Items
        }
        _ => Validate::Nothing,
    };
    for def in types.iter_mut() {
        match &mut def.kind {
            TypeKind::Struct(fields) => fields.iter_mut().for_each(|f| f.checks.validate = validate(&f.ty)),
            TypeKind::Untagged(variants) => {
                variants.iter_mut().for_each(|v| v.validated = validate(&v.ty) == Validate::Value)
            }
            TypeKind::Enum(_) | TypeKind::Alias(_) => {}
        }
    }
    for op in operations.iter_mut() {
        op.params.iter_mut().for_each(|p| p.checks.validate = validate(&p.ty));
        if let Some(body) = &mut op.body {
            body.checks.validate = validate(&body.ty);
            if body.encoding == BodyEncoding::Multipart {
                body.files = file_parts(&body.ty, types);
            }
        }
    }
}

/// The `format: binary` fields of the struct `ty` names.
fn file_parts(ty: &TypeRef, types: &[TypeDef]) -> Vec<FilePart> {
    let TypeRef::Named(id) = ty else { return Vec::new() };
    let Some(TypeKind::Struct(fields)) = types.get(id.0).map(|t| &t.kind) else { return Vec::new() };
    let binary = fields.iter().filter(|f| f.ty == TypeRef::Binary);
    binary.map(|f| FilePart { name: f.name.clone(), wire: f.wire.clone(), optional: f.optional() }).collect()
}

/// Marks the structs that token operations answer with.
fn mark_token_answers(types: &mut [TypeDef], operations: &[Operation]) {
    let answers: BTreeSet<TypeId> = operations
        .iter()
        .filter(|op| op.token.is_some())
        .filter_map(|op| match op.success.iter().find_map(|r| r.body.as_ref()) {
            Some(TypeRef::Named(id)) => Some(*id),
            _ => None,
        })
        .collect();
    for (id, def) in types.iter_mut().enumerate() {
        def.token_answer = answers.contains(&TypeId(id)) && matches!(def.kind, TypeKind::Struct(_));
    }
}
