//! Recursive types: a struct or enum that contains itself by value (directly or
//! through others) has no finite size, so the fields and variants that close such a
//! cycle are boxed. `Vec` and maps already hold their items on the heap.

use std::collections::{BTreeMap, BTreeSet};

use super::usage;
use crate::model::{TypeDef, TypeId, TypeKind, TypeRef};

/// Marks as boxed every field and variant through which its type reaches itself, and
/// as recursive every type a box holds.
pub fn box_cycles(types: &mut [TypeDef]) {
    let edges: Vec<Vec<TypeId>> = types.iter().map(|t| by_value(&t.kind).collect()).collect();
    let mut reach_cache = BTreeMap::new();
    let mut boxed: BTreeSet<TypeId> = BTreeSet::new();
    for (owner, def) in types.iter_mut().enumerate() {
        let mut closes_cycle = |ty: &TypeRef| match ty {
            TypeRef::Named(id) if reaches(*id, TypeId(owner), &edges, &mut reach_cache) => {
                boxed.insert(*id);
                true
            }
            _ => false,
        };
        match &mut def.kind {
            TypeKind::Struct(fields) => fields.iter_mut().for_each(|f| f.boxed = closes_cycle(&f.ty)),
            TypeKind::Untagged(variants) => variants.iter_mut().for_each(|v| v.boxed = closes_cycle(&v.ty)),
            TypeKind::Enum(_) | TypeKind::Alias(_) => {}
        }
    }
    for (id, def) in types.iter_mut().enumerate() {
        def.recursive = boxed.contains(&TypeId(id));
    }
}

/// The named types a type holds by value (not behind a `Vec` or map).
fn by_value(kind: &TypeKind) -> impl Iterator<Item = TypeId> + '_ {
    usage::children(kind).into_iter().filter_map(|ty| match ty {
        TypeRef::Named(id) => Some(*id),
        _ => None,
    })
}

/// True when `to` is reachable from `from` by value, `from` itself included.
fn reaches(
    from: TypeId,
    to: TypeId,
    edges: &[Vec<TypeId>],
    cache: &mut BTreeMap<TypeId, BTreeSet<TypeId>>,
) -> bool {
    cache
        .entry(from)
        .or_insert_with(|| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![from];
            while let Some(id) = todo.pop() {
                if seen.insert(id) {
                    todo.extend(edges.get(id.0).into_iter().flatten());
                }
            }
            seen
        })
        .contains(&to)
}

/// A cycle of aliases (`type A = B; type B = A;`, or `type A = Vec<A>`): rustc accepts
/// none. `bare` when no step goes through a `Vec` or map, so the `$ref`s go round
/// without ever reaching a type.
#[derive(Debug, PartialEq)]
pub struct AliasCycle {
    /// The aliases in order, the one of least name first (once: not repeated last).
    pub members: Vec<TypeId>,
    /// No step holds the next in a container.
    pub bare: bool,
}

/// Every cycle of aliases, once each.
pub fn alias_cycles(types: &[TypeDef]) -> Vec<AliasCycle> {
    let alias = |id: TypeId| match &types.get(id.0)?.kind {
        TypeKind::Alias(ty) => Some(ty),
        _ => None,
    };
    let mut cycles: Vec<AliasCycle> = Vec::new();
    let mut starts: Vec<TypeId> = (0..types.len()).map(TypeId).filter(|id| alias(*id).is_some()).collect();
    starts.sort_by_key(|id| &types[id.0].name);
    for start in starts {
        let mut members = vec![start];
        // Whether each step, from `members[i]` to the next, names the next bare.
        let mut steps: Vec<bool> = Vec::new();
        let mut current = start;
        // An alias names at most one alias; follow it, as rustc would.
        while let Some((next, direct)) =
            alias(current).and_then(usage::named_in).filter(|(n, _)| alias(*n).is_some())
        {
            steps.push(direct);
            if let Some(at) = members.iter().position(|m| *m == next) {
                let bare = steps[at..].iter().all(|d| *d);
                let mut cycle: Vec<TypeId> = members.split_off(at);
                let least =
                    cycle.iter().enumerate().min_by_key(|(_, id)| &types[id.0].name).map_or(0, |(i, _)| i);
                cycle.rotate_left(least);
                if !cycles.iter().any(|c| c.members == cycle) {
                    cycles.push(AliasCycle { members: cycle, bare });
                }
                break;
            }
            members.push(next);
            current = next;
        }
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Checks, Field};

    fn field(name: &str, ty: TypeRef) -> Field {
        Field {
            name: name.into(),
            wire: name.into(),
            ty,
            required: false,
            nullable: false,
            doc: None,
            checks: Checks::default(),
            boxed: false,
        }
    }

    fn def(name: &str, fields: Vec<Field>) -> TypeDef {
        TypeDef::new(name.into(), None, TypeKind::Struct(fields))
    }

    fn boxed(def: &TypeDef) -> Vec<bool> {
        let TypeKind::Struct(fields) = &def.kind else { unreachable!() };
        fields.iter().map(|f| f.boxed).collect()
    }

    fn named(id: usize) -> TypeRef {
        TypeRef::Named(TypeId(id))
    }

    #[test]
    fn alias_cycles_are_found_once_and_told_bare_or_contained() {
        let alias = |name: &str, ty: TypeRef| TypeDef::new(name.into(), None, TypeKind::Alias(ty));
        let types = vec![
            alias("C", named(1)),
            alias("A", named(2)),
            alias("B", named(0)),
            alias("Lead", named(1)),
            alias("Nested", TypeRef::Vec(Box::new(named(4)))),
            alias("Fine", named(6)),
            def("Leaf", Vec::new()),
        ];
        let cycles = alias_cycles(&types);
        let names = |c: &AliasCycle| {
            c.members.iter().map(|id| types[id.0].name.as_str()).collect::<Vec<_>>().join(" -> ")
        };
        assert_eq!(cycles.iter().map(names).collect::<Vec<_>>(), ["A -> B -> C", "Nested"]);
        assert_eq!(cycles.iter().map(|c| c.bare).collect::<Vec<_>>(), [true, false]);
    }

    #[test]
    fn only_fields_that_close_a_cycle_by_value_are_boxed() {
        let mut types = vec![
            def("Node", vec![field("parent", named(0)), field("children", TypeRef::Vec(Box::new(named(0))))]),
            def("A", vec![field("b", named(2)), field("leaf", named(3))]),
            def("B", vec![field("a", named(1))]),
            def("Leaf", vec![field("name", TypeRef::String)]),
        ];
        box_cycles(&mut types);
        assert_eq!(boxed(&types[0]), [true, false], "a Vec is already on the heap");
        assert_eq!(boxed(&types[1]), [true, false]);
        assert_eq!(boxed(&types[2]), [true]);
        assert_eq!(boxed(&types[3]), [false]);
        let recursive: Vec<bool> = types.iter().map(|t| t.recursive).collect();
        assert_eq!(recursive, [true, true, true, false], "every type a box holds");
    }
}
