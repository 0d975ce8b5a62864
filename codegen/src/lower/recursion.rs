//! Recursive types: a struct or enum that contains itself by value (directly or
//! through others) has no finite size, so the fields and variants that close such a
//! cycle are boxed. `Vec` and maps already hold their items on the heap.

use std::collections::{BTreeMap, BTreeSet};

use super::usage;
use crate::model::{TypeDef, TypeKind, TypeRef};

/// Marks as boxed every field and variant through which its type reaches itself.
pub fn box_cycles(types: &mut [TypeDef]) {
    let edges: BTreeMap<String, Vec<String>> =
        types.iter().map(|t| (t.name.clone(), by_value(&t.kind).map(String::from).collect())).collect();
    let mut reach_cache = BTreeMap::new();
    for def in types.iter_mut() {
        let owner = def.name.clone();
        let mut closes_cycle = |ty: &TypeRef| match ty {
            TypeRef::Named(name) => reaches(name, &owner, &edges, &mut reach_cache),
            _ => false,
        };
        match &mut def.kind {
            TypeKind::Struct(fields) => fields.iter_mut().for_each(|f| f.boxed = closes_cycle(&f.ty)),
            TypeKind::Untagged(variants) => variants.iter_mut().for_each(|v| v.boxed = closes_cycle(&v.ty)),
            TypeKind::Enum(_) | TypeKind::Alias(_) => {}
        }
    }
}

/// The named types a type holds by value (not behind a `Vec` or map).
fn by_value(kind: &TypeKind) -> impl Iterator<Item = &str> {
    usage::children(kind).into_iter().filter_map(|ty| match ty {
        TypeRef::Named(name) => Some(name.as_str()),
        _ => None,
    })
}

/// True when `to` is reachable from `from` by value, `from` itself included.
fn reaches(
    from: &str,
    to: &str,
    edges: &BTreeMap<String, Vec<String>>,
    cache: &mut BTreeMap<String, BTreeSet<String>>,
) -> bool {
    if !cache.contains_key(from) {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(name) = todo.pop() {
            if seen.insert(name.clone()) {
                todo.extend(edges.get(&name).into_iter().flatten().cloned());
            }
        }
        cache.insert(from.to_string(), seen);
    }
    cache[from].contains(to)
}

/// A cycle of aliases (`type A = B; type B = A;`, or `type A = Vec<A>`): rustc accepts
/// none. `bare` when no step goes through a `Vec` or map, so the `$ref`s go round
/// without ever reaching a type.
#[derive(Debug, PartialEq)]
pub struct AliasCycle {
    /// The aliases in order, the least name first and again last.
    pub names: Vec<String>,
    /// No step holds the next in a container.
    pub bare: bool,
}

/// Every cycle of aliases, once each.
pub fn alias_cycles(types: &[TypeDef]) -> Vec<AliasCycle> {
    let aliases: BTreeMap<&str, &TypeRef> = types
        .iter()
        .filter_map(|t| match &t.kind {
            TypeKind::Alias(ty) => Some((t.name.as_str(), ty)),
            _ => None,
        })
        .collect();
    let mut cycles: Vec<AliasCycle> = Vec::new();
    for &start in aliases.keys() {
        let mut names = vec![start.to_string()];
        // Whether each step, from `names[i]` to the next, names the next bare.
        let mut steps: Vec<bool> = Vec::new();
        let mut current = start;
        // An alias names at most one alias; follow it, as rustc would.
        while let Some((next, direct)) =
            usage::named_in(aliases[current]).filter(|(n, _)| aliases.contains_key(n))
        {
            steps.push(direct);
            if let Some(at) = names.iter().position(|n| n == next) {
                let bare = steps[at..].iter().all(|d| *d);
                let mut cycle: Vec<String> = names.split_off(at);
                let least = cycle.iter().enumerate().min_by_key(|(_, n)| n.as_str()).map_or(0, |(i, _)| i);
                cycle.rotate_left(least);
                cycle.push(cycle[0].clone());
                if !cycles.iter().any(|c| c.names == cycle) {
                    cycles.push(AliasCycle { names: cycle, bare });
                }
                break;
            }
            names.push(next.to_string());
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
        TypeDef {
            name: name.into(),
            doc: None,
            kind: TypeKind::Struct(fields),
            validated: false,
            serialize: true,
            deserialize: true,
            token_answer: false,
        }
    }

    fn boxed(def: &TypeDef) -> Vec<bool> {
        let TypeKind::Struct(fields) = &def.kind else { unreachable!() };
        fields.iter().map(|f| f.boxed).collect()
    }

    #[test]
    fn alias_cycles_are_found_once_and_told_bare_or_contained() {
        let alias = |name: &str, ty: TypeRef| TypeDef { kind: TypeKind::Alias(ty), ..def(name, Vec::new()) };
        let named = |n: &str| TypeRef::Named(n.into());
        let types = vec![
            alias("C", named("A")),
            alias("A", named("B")),
            alias("B", named("C")),
            alias("Lead", named("A")),
            alias("Nested", TypeRef::Vec(Box::new(named("Nested")))),
            alias("Fine", named("Leaf")),
            def("Leaf", Vec::new()),
        ];
        let cycles = alias_cycles(&types);
        let names = |c: &AliasCycle| c.names.join(" -> ");
        assert_eq!(cycles.iter().map(names).collect::<Vec<_>>(), ["A -> B -> C -> A", "Nested -> Nested"]);
        assert_eq!(cycles.iter().map(|c| c.bare).collect::<Vec<_>>(), [true, false]);
    }

    #[test]
    fn only_fields_that_close_a_cycle_by_value_are_boxed() {
        let named = |n: &str| TypeRef::Named(n.into());
        let mut types = vec![
            def(
                "Node",
                vec![
                    field("parent", named("Node")),
                    field("children", TypeRef::Vec(Box::new(named("Node")))),
                ],
            ),
            def("A", vec![field("b", named("B")), field("leaf", named("Leaf"))]),
            def("B", vec![field("a", named("A"))]),
            def("Leaf", vec![field("name", TypeRef::String)]),
        ];
        box_cycles(&mut types);
        assert_eq!(boxed(&types[0]), [true, false], "a Vec is already on the heap");
        assert_eq!(boxed(&types[1]), [true, false]);
        assert_eq!(boxed(&types[2]), [true]);
        assert_eq!(boxed(&types[3]), [false]);
    }
}
