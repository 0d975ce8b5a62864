//! Which values of one property select each variant of a union. With a
//! `discriminator`: its `mapping` first, then the value each variant declares for the
//! property (`const`, a one-value `enum`, through `allOf` and `$ref`s), then the
//! variant's schema name (OpenAPI's implicit mapping); a value goes to the first
//! variant that claims it in that order. Without one: a property every variant
//! declares a distinct constant for, where there is one. Real documents rely on the
//! declared values: OpenAI's `OutputItem` has no mapping and each variant states its
//! `type` (`enum: [message]`).

use std::collections::BTreeSet;

use openapiv3::{Discriminator, ReferenceOr, Schema, SchemaKind, Type};

use super::{Lowerer, refs};
use crate::model::Tag;

/// How deep `allOf` parts and `$ref`s are followed to find a property: past any real
/// document's nesting, short of a cycle's cost.
const DEPTH: usize = 16;

impl Lowerer<'_> {
    /// The tag of each of `alternatives`, or `None` where some variant has no value
    /// of its own (the union is then decoded by trying each variant).
    pub(super) fn union_tags(
        &self,
        alternatives: &[ReferenceOr<Schema>],
        discriminator: Option<&Discriminator>,
    ) -> Option<Vec<Tag>> {
        let (property, values) = match discriminator {
            Some(discriminator) => {
                let property = &discriminator.property_name;
                (property.clone(), self.discriminated(alternatives, discriminator))
            }
            None => self.by_constant(alternatives)?,
        };
        let all = values.iter().all(|v| !v.is_empty());
        all.then(|| values.into_iter().map(|values| Tag { property: property.clone(), values }).collect())
    }

    /// The values of each alternative, a value going to the first that claims it: the
    /// mapping's, then the declared ones, then the schema names.
    fn discriminated(
        &self,
        alternatives: &[ReferenceOr<Schema>],
        discriminator: &Discriminator,
    ) -> Vec<Vec<String>> {
        let property = &discriminator.property_name;
        let names: Vec<Option<String>> = alternatives.iter().map(schema_name).collect();
        let mapped = |name: &Option<String>| -> Vec<String> {
            let target = |to: &String| refs::component_name(to, "schemas").unwrap_or(to.clone());
            let keys = discriminator.mapping.iter().filter(|(_, to)| name.as_ref() == Some(&target(to)));
            keys.map(|(key, _)| key.clone()).collect()
        };
        let tiers: [Vec<Vec<String>>; 3] = [
            names.iter().map(mapped).collect(),
            alternatives.iter().map(|a| self.declared(a, property, 0)).collect(),
            names.iter().map(|name| name.iter().cloned().collect()).collect(),
        ];
        let mut taken = BTreeSet::new();
        let mut values = vec![Vec::new(); alternatives.len()];
        for tier in tiers {
            for (index, tier_values) in tier.into_iter().enumerate() {
                values[index].extend(tier_values.into_iter().filter(|v| taken.insert(v.clone())));
            }
        }
        values
    }

    /// A property every alternative declares one constant for, distinct across them
    /// (the first such, in the order the first alternative lists its properties), and
    /// each alternative's constant.
    fn by_constant(&self, alternatives: &[ReferenceOr<Schema>]) -> Option<(String, Vec<Vec<String>>)> {
        let first = self.schema_of(alternatives.first()?)?;
        self.properties(first, 0).into_iter().find_map(|property| {
            let values: Vec<Vec<String>> =
                alternatives.iter().map(|a| self.declared(a, &property, 0)).collect();
            let distinct: BTreeSet<&Vec<String>> = values.iter().collect();
            let single = values.iter().all(|v| v.len() == 1);
            (single && distinct.len() == values.len()).then_some((property, values))
        })
    }

    fn schema_of<'s>(&'s self, schema: &'s ReferenceOr<Schema>) -> Option<&'s Schema> {
        match schema {
            ReferenceOr::Reference { reference } => self.referenced_schema(reference),
            ReferenceOr::Item(schema) => Some(schema),
        }
    }

    /// The names of the properties of `schema`, its `allOf` parts' included.
    fn properties(&self, schema: &Schema, depth: usize) -> Vec<String> {
        let parts = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => return object.properties.keys().cloned().collect(),
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                return any.properties.keys().cloned().collect();
            }
            SchemaKind::AllOf { all_of } | SchemaKind::Any(openapiv3::AnySchema { all_of, .. }) => all_of,
            _ => return Vec::new(),
        };
        let parts = parts.iter().filter(|_| depth < DEPTH).filter_map(|part| self.schema_of(part));
        parts.flat_map(|part| self.properties(part, depth + 1)).collect()
    }

    /// The constant `alternative` declares for `property`: the value of a one-value
    /// `enum` (3.1's `const` is one), found through `allOf` parts and `$ref`s.
    fn declared(&self, alternative: &ReferenceOr<Schema>, property: &str, depth: usize) -> Vec<String> {
        let Some(schema) = self.schema_of(alternative).filter(|_| depth < DEPTH) else { return Vec::new() };
        let (properties, parts) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => (&object.properties, None),
            SchemaKind::Any(any) => (&any.properties, Some(&any.all_of)),
            SchemaKind::AllOf { all_of } => return self.first_declared(all_of, property, depth),
            _ => return Vec::new(),
        };
        match properties.get(property) {
            Some(ReferenceOr::Item(value)) => constant(value),
            Some(ReferenceOr::Reference { reference }) => {
                self.referenced_schema(reference).map(constant).unwrap_or_default()
            }
            None => parts.map(|parts| self.first_declared(parts, property, depth)).unwrap_or_default(),
        }
    }

    fn first_declared(&self, parts: &[ReferenceOr<Schema>], property: &str, depth: usize) -> Vec<String> {
        parts
            .iter()
            .map(|part| self.declared(part, property, depth + 1))
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    }
}

/// The name of the component schema `alternative` refers to.
fn schema_name(alternative: &ReferenceOr<Schema>) -> Option<String> {
    let ReferenceOr::Reference { reference } = alternative else { return None };
    refs::component_name(reference, "schemas")
}

/// The one value of a string schema with a one-value `enum`.
fn constant(schema: &Schema) -> Vec<String> {
    let values: Vec<String> = match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => string.enumeration.iter().flatten().cloned().collect(),
        SchemaKind::Any(any) => any.enumeration.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    };
    if values.len() == 1 { values } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::model::TypeKind;

    /// The tag values of each variant of `Item`, in a document whose schemas are
    /// `schemas` (YAML, indented for `components.schemas`).
    fn tags(schemas: &str) -> Vec<Vec<String>> {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /items:\n    get:\n      responses:\n        \
             '200':\n          description: OK\n          content:\n            application/json:\n              \
             schema: {{$ref: '#/components/schemas/Item'}}\ncomponents:\n  schemas:\n{schemas}"
        );
        let loaded = crate::load::load_str(Path::new("t.yaml"), &text).unwrap();
        let api = super::super::lower(&crate::parse::parse(loaded).unwrap(), &Default::default()).unwrap();
        let item = api.types.iter().find(|t| t.name == "Item").unwrap();
        let TypeKind::Untagged(variants) = &item.kind else { panic!("{:?}", item.kind) };
        variants.iter().map(|v| v.tag.as_ref().map(|t| t.values.clone()).unwrap_or_default()).collect()
    }

    const PETS: &str = "    Cat: {type: object, properties: {kind: {type: string, enum: [cat]}, family: {type: string, enum: [felid]}}}\n    \
                        Dog: {type: object, properties: {kind: {type: string, enum: [dog]}, family: {type: string, enum: [canid]}}}\n";

    #[test]
    fn the_mapping_claims_a_value_before_a_variant_declares_it() {
        let item = "    Item:\n      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]\n      \
                    discriminator: {propertyName: kind, mapping: {dog: '#/components/schemas/Cat'}}\n";
        assert_eq!(tags(&format!("{item}{PETS}")), [vec!["dog", "cat", "Cat"], vec!["Dog"]]);
    }

    #[test]
    fn without_a_discriminator_the_first_property_with_distinct_constants_decides() {
        let item = "    Item:\n      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]\n";
        assert_eq!(tags(&format!("{item}{PETS}")), [vec!["cat"], vec!["dog"]]);
        let same = PETS.replace("enum: [dog]", "enum: [cat]");
        assert_eq!(tags(&format!("{item}{same}")), [vec!["felid"], vec!["canid"]]);
        let none = same.replace("enum: [canid]", "enum: [felid]");
        assert_eq!(tags(&format!("{item}{none}")), [Vec::<String>::new(), Vec::new()], "tried in order");
    }
}
