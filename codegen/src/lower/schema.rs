//! Schemas -> Rust types. Named schemas become [`TypeDef`]s under their own names;
//! inline objects and enums get names from where they stand (documented in README).

use openapiv3::{
    AdditionalProperties, Discriminator, IntegerFormat, ObjectType, ReferenceOr, Schema, SchemaKind,
    StringFormat, StringType, Type, VariantOrUnknownOrEmpty,
};

use super::{Lowerer, refs};
use crate::diagnostics::Pointer;
use crate::model::{Checks, Field, Tag, TypeDef, TypeKind, TypeRef, UntaggedVariant, Variant};
use crate::naming::{self, Namespace};

/// A schema as a Rust type, with what the field or parameter holding it must know.
pub(super) struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
    pub checks: Checks,
    pub doc: Option<String>,
}

/// A schema or a reference to one, whichever box it came in.
#[derive(Clone, Copy)]
pub(super) enum SchemaRef<'s> {
    Ref(&'s str),
    Item(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for SchemaRef<'s> {
    fn from(value: &'s ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Item(schema),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for SchemaRef<'s> {
    fn from(value: &'s ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Item(schema),
        }
    }
}

/// Field names whose last word marks a credential or token: kept in a redacting
/// `Secret` even where the spec forgot `format: password`.
const SECRET_WORDS: &[&str] = &["password", "secret", "token"];

impl<'a> Lowerer<'a> {
    pub(super) fn component_schemas(&mut self) {
        let Some(components) = &self.doc.components else { return };
        let base = Pointer::root().join("components").join("schemas");
        for (name, schema) in &components.schemas {
            let rust_name = self.schema_names[name].clone();
            let pointer = base.join(name);
            let kind = match SchemaRef::from(schema) {
                SchemaRef::Item(schema) => self.type_kind(schema, &pointer, &rust_name),
                reference => TypeKind::Alias(self.lower_schema(reference, &pointer, &[]).ty),
            };
            let doc = match schema {
                ReferenceOr::Item(schema) if kind == TypeKind::Alias(TypeRef::Json) => {
                    join(describe(schema), fallback_note(schema))
                }
                ReferenceOr::Item(schema) => describe(schema),
                ReferenceOr::Reference { .. } => None,
            };
            self.types.push(TypeDef {
                name: rust_name,
                doc,
                kind,
                validated: false,
                serialize: true,
                deserialize: true,
                token_answer: false,
            });
        }
    }

    /// Aliases whose references go round have no type: each becomes
    /// `serde_json::Value`, and a cycle of bare `$ref`s, which describes no value at
    /// all, is a problem at its first schema.
    pub(super) fn break_alias_cycles(&mut self) {
        for cycle in super::recursion::alias_cycles(&self.types) {
            let schema_name = |rust: &String| {
                let found = self.schema_names.iter().find(|(_, r)| *r == rust);
                found.map_or(rust.clone(), |(schema, _)| schema.clone())
            };
            let names: Vec<String> = cycle.names.iter().map(schema_name).collect();
            let (message, hint) = refs::Unresolved::Cycle(names.clone()).explain("", "schemas");
            if cycle.bare {
                let pointer = Pointer::root().join("components").join("schemas").join(&names[0]);
                self.problems.push(&pointer, message, hint);
            }
            let note =
                format!("Typed as `serde_json::Value`: its references go round ({}).", names.join(" -> "));
            for def in self.types.iter_mut().filter(|t| cycle.names.contains(&t.name)) {
                def.kind = TypeKind::Alias(TypeRef::Json);
                def.doc = join(def.doc.take(), Some(note.clone()));
            }
        }
    }

    /// The shape of a named type.
    fn type_kind(&mut self, schema: &Schema, pointer: &Pointer, name: &str) -> TypeKind {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => {
                TypeKind::Struct(self.fields(object, pointer, name))
            }
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                TypeKind::Enum(variants(schema, string))
            }
            SchemaKind::OneOf { one_of: alternatives } | SchemaKind::AnyOf { any_of: alternatives }
                if alternatives.len() > 1 =>
            {
                let keyword =
                    if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) { "oneOf" } else { "anyOf" };
                let tag = schema.schema_data.discriminator.as_ref();
                TypeKind::Untagged(self.alternatives(alternatives, &pointer.join(keyword), name, tag))
            }
            SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
                match self.merged_fields(all_of, pointer, name) {
                    Some(fields) => TypeKind::Struct(fields),
                    None => TypeKind::Alias(TypeRef::Json),
                }
            }
            _ => TypeKind::Alias(self.lower_schema(SchemaRef::Item(schema), pointer, &[]).ty),
        }
    }

    /// Lowers any schema to a type reference; inline objects and enums are named by
    /// the first free name of `names` (or reuse an identical type of that name).
    pub(super) fn lower_schema(
        &mut self,
        schema: SchemaRef<'_>,
        pointer: &Pointer,
        names: &[String],
    ) -> Lowered {
        let schema = match schema {
            SchemaRef::Ref(reference) => return self.lower_ref(reference, pointer),
            SchemaRef::Item(schema) => schema,
        };
        let mut lowered = Lowered {
            ty: TypeRef::Json,
            nullable: schema.schema_data.nullable,
            checks: Checks::default(),
            doc: describe(schema),
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                lowered.nullable |= string.enumeration.contains(&None);
                lowered.ty = self.inline_type(TypeKind::Enum(variants(schema, string)), names);
            }
            SchemaKind::Type(Type::String(string)) => {
                lowered.ty = self.string_type(&string.format);
                // A typed value is well-formed by its type; lengths and patterns are of text.
                if matches!(lowered.ty, TypeRef::String | TypeRef::Secret) {
                    lowered.checks = Checks {
                        max_length: string.max_length,
                        min_length: string.min_length,
                        pattern: string.pattern.clone(),
                        ..Checks::default()
                    };
                }
            }
            SchemaKind::Type(Type::Integer(integer)) => {
                lowered.ty = match integer.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                    _ => TypeRef::I64,
                };
                let exclusive = |bound: Option<i64>, is: bool, step: i64| {
                    bound.map(|b| (b + i64::from(is) * step) as f64)
                };
                lowered.checks.minimum = exclusive(integer.minimum, integer.exclusive_minimum, 1);
                lowered.checks.maximum = exclusive(integer.maximum, integer.exclusive_maximum, -1);
            }
            SchemaKind::Type(Type::Number(number)) => {
                lowered.ty = TypeRef::F64;
                lowered.checks.minimum = number.minimum.filter(|_| !number.exclusive_minimum);
                lowered.checks.maximum = number.maximum.filter(|_| !number.exclusive_maximum);
            }
            SchemaKind::Type(Type::Boolean(_)) => lowered.ty = TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => {
                let item_names: Vec<String> = names.iter().map(|n| format!("{n}Item")).collect();
                lowered.ty = match &array.items {
                    Some(items) => {
                        let item = self.lower_schema(items.into(), &pointer.join("items"), &item_names);
                        TypeRef::Vec(Box::new(item.ty))
                    }
                    None => TypeRef::Vec(Box::new(TypeRef::Json)),
                };
            }
            SchemaKind::Type(Type::Object(object)) => lowered.ty = self.object(object, pointer, names),
            SchemaKind::OneOf { one_of: alternatives } | SchemaKind::AnyOf { any_of: alternatives } => {
                let keyword =
                    if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) { "oneOf" } else { "anyOf" };
                let pointer = pointer.join(keyword);
                match alternatives.as_slice() {
                    [only] => return self.lower_schema(only.into(), &pointer.join(0), names),
                    _ => {
                        let name = names.first().cloned().unwrap_or_else(|| "Value".into());
                        let tag = schema.schema_data.discriminator.as_ref();
                        let variants = self.alternatives(alternatives, &pointer, &name, tag);
                        lowered.ty = self.inline_type(TypeKind::Untagged(variants), names);
                    }
                }
            }
            SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                [only] => {
                    let inner = self.lower_schema(only.into(), &pointer.join("allOf").join(0), names);
                    lowered.ty = inner.ty;
                    lowered.checks = inner.checks;
                }
                parts => {
                    let name = names.first().cloned().unwrap_or_else(|| "Value".into());
                    if let Some(fields) = self.merged_fields(parts, pointer, &name) {
                        lowered.ty = self.inline_type(TypeKind::Struct(fields), names);
                    }
                }
            },
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                let object = ObjectType {
                    properties: any.properties.clone(),
                    required: any.required.clone(),
                    ..ObjectType::default()
                };
                lowered.ty = self.object(&object, pointer, names);
            }
            SchemaKind::Not { .. } | SchemaKind::Any(_) => {}
        }
        if lowered.ty == TypeRef::Json {
            lowered.doc = join(lowered.doc.take(), fallback_note(schema));
        }
        lowered
    }

    /// The type of a string of `format`: typed for the formats a crate reads well,
    /// unless the options keep strings.
    fn string_type(&self, format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
        let typed = !self.options.string_formats;
        match format {
            VariantOrUnknownOrEmpty::Item(StringFormat::Password) => TypeRef::Secret,
            VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::Binary,
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) if typed => TypeRef::DateTime,
            VariantOrUnknownOrEmpty::Item(StringFormat::Date) if typed => TypeRef::Date,
            VariantOrUnknownOrEmpty::Unknown(format) if typed && format == "uuid" => TypeRef::Uuid,
            _ => TypeRef::String,
        }
    }

    fn lower_ref(&mut self, reference: &str, pointer: &Pointer) -> Lowered {
        let named = refs::component_name(reference, "schemas").and_then(|name| self.schema_names.get(&name));
        let ty = match named {
            Some(name) => TypeRef::Named(name.clone()),
            None => {
                let (message, hint) = refs::Unresolved::Elsewhere.explain(reference, "schemas");
                self.problems.push(pointer, message, hint);
                TypeRef::Json
            }
        };
        let nullable = self.referenced_schema(reference).is_some_and(|s| s.schema_data.nullable);
        Lowered { ty, nullable, checks: Checks::default(), doc: None }
    }

    /// The schema a reference ends at, through chains; `None` where it ends at none
    /// (a cycle is reported where the component is lowered, a dangling one by parse).
    pub(super) fn referenced_schema(&self, reference: &str) -> Option<&'a Schema> {
        let schemas = &self.doc.components.as_ref()?.schemas;
        let first = schemas.get(&refs::component_name(reference, "schemas")?)?;
        refs::follow(first, "schemas", Some(schemas)).ok()
    }

    fn object(&mut self, object: &ObjectType, pointer: &Pointer, names: &[String]) -> TypeRef {
        if object.properties.is_empty() {
            return match &object.additional_properties {
                Some(AdditionalProperties::Schema(values)) => {
                    let value_names: Vec<String> = names.iter().map(|n| format!("{n}Value")).collect();
                    let values = (&**values).into();
                    let value =
                        self.lower_schema(values, &pointer.join("additionalProperties"), &value_names);
                    TypeRef::Map(Box::new(value.ty))
                }
                _ => TypeRef::Json,
            };
        }
        let name = names.first().cloned().unwrap_or_else(|| "Object".into());
        let fields = self.fields(object, pointer, &name);
        self.inline_type(TypeKind::Struct(fields), names)
    }

    fn fields(&mut self, object: &ObjectType, pointer: &Pointer, parent: &str) -> Vec<Field> {
        let mut field_names = Namespace::default();
        let mut fields = Vec::new();
        for (wire, schema) in &object.properties {
            let prop = naming::pascal(wire);
            let names = [prop.clone(), format!("{parent}{prop}")];
            let lowered = self.lower_schema(schema.into(), &pointer.join("properties").join(wire), &names);
            let doc = match SchemaRef::from(schema) {
                SchemaRef::Item(_) => lowered.doc,
                SchemaRef::Ref(reference) => self.referenced_schema(reference).and_then(describe),
            };
            fields.push(Field {
                name: field_names.claim(naming::snake(wire)),
                wire: wire.clone(),
                ty: secret_by_name(wire, lowered.ty),
                required: object.required.contains(wire),
                nullable: lowered.nullable,
                doc,
                checks: lowered.checks,
                boxed: false,
            });
        }
        fields
    }

    /// The fields of an `allOf` whose parts are all objects, or `None` when one is not.
    fn merged_fields(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        pointer: &Pointer,
        name: &str,
    ) -> Option<Vec<Field>> {
        let mut merged = ObjectType::default();
        for part in parts {
            let schema = match part {
                ReferenceOr::Item(schema) => schema,
                ReferenceOr::Reference { reference } => self.referenced_schema(reference)?,
            };
            let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else { return None };
            merged.properties.extend(object.properties.clone());
            merged.required.extend(object.required.iter().cloned());
        }
        Some(self.fields(&merged, &pointer.join("allOf"), name))
    }

    /// The variants of a `oneOf`/`anyOf`. With a discriminator that tells every
    /// alternative apart, each variant is named by its discriminator value and carries
    /// it; otherwise variants are named by their types and tried in order.
    fn alternatives(
        &mut self,
        alternatives: &[ReferenceOr<Schema>],
        pointer: &Pointer,
        parent: &str,
        discriminator: Option<&Discriminator>,
    ) -> Vec<UntaggedVariant> {
        let tags: Option<Vec<String>> = discriminator
            .and_then(|d| alternatives.iter().map(|alternative| tag_value(d, alternative)).collect());
        let mut variant_names = Namespace::default();
        alternatives
            .iter()
            .enumerate()
            .map(|(index, alternative)| {
                let inline_name = format!("{parent}Variant{}", index + 1);
                let lowered = self.lower_schema(alternative.into(), &pointer.join(index), &[inline_name]);
                let tag = tags
                    .as_ref()
                    .zip(discriminator)
                    .map(|(tags, d)| Tag { property: d.property_name.clone(), value: tags[index].clone() });
                let name = match &tag {
                    Some(tag) => naming::pascal(&tag.value),
                    None => variant_name(&lowered.ty),
                };
                UntaggedVariant {
                    name: variant_names.claim(name),
                    ty: lowered.ty,
                    boxed: false,
                    tag,
                    validated: false,
                }
            })
            .collect()
    }

    /// Registers an inline type under the first usable name of `names`.
    fn inline_type(&mut self, kind: TypeKind, names: &[String]) -> TypeRef {
        for name in names {
            if let Some(existing) = self.types.iter().find(|t| &t.name == name) {
                if existing.kind == kind {
                    return TypeRef::Named(name.clone());
                }
            } else if self.type_names.is_free(name) {
                return self.define(name.clone(), kind);
            }
        }
        let fallback = names.last().cloned().unwrap_or_else(|| "Value".into());
        self.define(fallback, kind)
    }

    fn define(&mut self, name: String, kind: TypeKind) -> TypeRef {
        let name = self.type_names.claim(name);
        self.types.push(TypeDef {
            name: name.clone(),
            doc: None,
            kind,
            validated: false,
            serialize: true,
            deserialize: true,
            token_answer: false,
        });
        TypeRef::Named(name)
    }
}

/// Rustdoc text of a schema: its title and description, then what the type cannot say
/// (default, read-only, write-only, deprecated).
fn describe(schema: &Schema) -> Option<String> {
    let data = &schema.schema_data;
    let default = data.default.as_ref().map(|d| format!("Default: `{d}`."));
    let values = integer_values(schema);
    let notes = [
        values.as_deref(),
        default.as_deref(),
        data.read_only.then_some("Read-only: the server sends it and ignores it in requests."),
        data.write_only.then_some("Write-only: sent in requests, never returned."),
        data.deprecated.then_some("**Deprecated.**"),
    ];
    let text: Vec<&str> =
        [data.title.as_deref(), data.description.as_deref()].into_iter().chain(notes).flatten().collect();
    (!text.is_empty()).then(|| text.join("\n\n"))
}

/// Why a schema with a shape became `serde_json::Value` (a schema without one is any
/// JSON value, and says so by itself).
fn fallback_note(schema: &Schema) -> Option<String> {
    let why = match &schema.schema_kind {
        SchemaKind::Not { .. } => "`not` excludes values and has no Rust type",
        SchemaKind::AllOf { .. } => "its `allOf` parts are not all objects, so they cannot be merged",
        _ => return None,
    };
    Some(format!("Typed as `serde_json::Value`: {why}."))
}

fn join(doc: Option<String>, note: Option<String>) -> Option<String> {
    match (doc, note) {
        (Some(doc), Some(note)) => Some(format!("{doc}\n\n{note}")),
        (doc, note) => doc.or(note),
    }
}

/// The discriminator value that selects `alternative`: its key in the mapping (whose
/// targets are references or bare schema names), or the name of the schema it references.
fn tag_value(discriminator: &Discriminator, alternative: &ReferenceOr<Schema>) -> Option<String> {
    let ReferenceOr::Reference { reference } = alternative else { return None };
    let name = refs::component_name(reference, "schemas")?;
    let target_name = |target: &String| refs::component_name(target, "schemas").unwrap_or(target.clone());
    let mapped = discriminator.mapping.iter().find(|(_, target)| target_name(target) == name);
    Some(mapped.map_or(name, |(value, _)| value.clone()))
}

/// The variants of a string enum, named by `x-enum-varnames` where the spec gives them
/// (3.1 titled `const`s), else by their values. A value listed twice is one variant
/// (two would be two arms for one string), its doc saying so.
fn variants(schema: &Schema, string: &StringType) -> Vec<Variant> {
    let mut names = Namespace::default();
    let values: Vec<&String> = string.enumeration.iter().flatten().collect();
    let varnames = enum_texts(schema, "x-enum-varnames", values.len());
    let descriptions = enum_texts(schema, "x-enum-descriptions", values.len());
    let mut variants: Vec<Variant> = Vec::new();
    for (i, wire) in values.iter().enumerate() {
        if let Some(first) = variants.iter_mut().find(|v| &v.wire == *wire) {
            first.doc = join(first.doc.take(), Some(REPEATED.into()));
            continue;
        }
        let given = varnames.as_ref().map(|n| n[i].as_str()).filter(|n| !n.is_empty());
        let name = match given {
            Some(name) => naming::pascal(name),
            None if wire.is_empty() => "Empty".to_string(),
            None => naming::pascal(wire),
        };
        let doc = descriptions.as_ref().map(|d| d[i].clone()).filter(|d| !d.is_empty());
        variants.push(Variant { name: names.claim(name), wire: (*wire).clone(), doc });
    }
    variants
}

/// The note on an enum value the spec lists more than once.
const REPEATED: &str = "The spec lists this value more than once.";

/// A list extension of the schema with one text per enum value, if it has one.
fn enum_texts(schema: &Schema, key: &str, count: usize) -> Option<Vec<String>> {
    let list = schema.schema_data.extensions.get(key)?.as_array()?;
    let texts: Vec<String> = list.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect();
    (texts.len() == count).then_some(texts)
}

/// "One of: `60` (ONE_MINUTE), …" for an integer enum, which stays an integer; a value
/// listed twice is told once.
fn integer_values(schema: &Schema) -> Option<String> {
    let SchemaKind::Type(Type::Integer(integer)) = &schema.schema_kind else { return None };
    let values: Vec<i64> = integer.enumeration.iter().flatten().copied().collect();
    if values.is_empty() {
        return None;
    }
    let names = enum_texts(schema, "x-enum-varnames", values.len());
    let mut listed: Vec<String> = Vec::new();
    for (i, v) in values.iter().enumerate().filter(|(i, v)| !values[..*i].contains(v)) {
        listed.push(match &names {
            Some(names) => format!("`{v}` ({})", names[i]),
            None => format!("`{v}`"),
        });
    }
    Some(format!("One of: {}.", listed.join(", ")))
}

fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) => name.clone(),
        TypeRef::String | TypeRef::Secret => "String".into(),
        TypeRef::Bool => "Bool".into(),
        TypeRef::I32 | TypeRef::I64 => "Integer".into(),
        TypeRef::F64 => "Number".into(),
        TypeRef::Json => "Json".into(),
        TypeRef::Binary => "Binary".into(),
        TypeRef::DateTime => "DateTime".into(),
        TypeRef::Date => "Date".into(),
        TypeRef::Uuid => "Uuid".into(),
        TypeRef::Vec(_) => "Array".into(),
        TypeRef::Map(_) => "Map".into(),
    }
}

fn secret_by_name(wire: &str, ty: TypeRef) -> TypeRef {
    let snake = naming::snake(wire);
    let last = snake.rsplit('_').next().unwrap_or_default();
    match ty {
        TypeRef::String if SECRET_WORDS.contains(&last) => TypeRef::Secret,
        other => other,
    }
}
