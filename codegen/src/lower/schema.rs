//! Schemas -> Rust types. Named schemas become [`TypeDef`]s under their own names;
//! inline objects and enums get names from where they stand (the rules are in
//! `docs/spec-support.md`, "Naming").

use openapiv3::{
    AdditionalProperties, ArrayType, Discriminator, IntegerFormat, IntegerType, NumberType, ObjectType,
    ReferenceOr, Schema, SchemaKind, StringFormat, StringType, Type, VariantOrUnknownOrEmpty,
};

use super::{Lowerer, refs};
use crate::diagnostics::{Pointer, Problem};
use crate::model::{Checks, Field, TypeDef, TypeId, TypeKind, TypeRef, UntaggedVariant, Variant};
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
    /// Gives every component schema its handle, its name claimed in document order,
    /// then lowers each (and the schemas their `$ref`s reach).
    pub(super) fn component_schemas(&mut self) {
        let doc = self.doc;
        let Some(components) = &doc.components else { return };
        let base = Pointer::root().join("components").join("schemas");
        let reserved: Vec<(TypeId, Pointer, &'a ReferenceOr<Schema>)> = components
            .schemas
            .iter()
            .map(|(name, schema)| {
                let pointer = base.join(name);
                (self.reserve(naming::pascal(name), &pointer), pointer, schema)
            })
            .collect();
        for (id, pointer, schema) in reserved {
            if let ReferenceOr::Item(schema) = schema {
                self.schema_example(schema, &pointer, TypeRef::Named(id));
            }
            self.complete(id, schema.into(), &pointer);
        }
    }

    /// A handle for the schema at `pointer`, named `name` (or the next free form of it),
    /// before its shape is lowered.
    fn reserve(&mut self, name: String, pointer: &Pointer) -> TypeId {
        let id = TypeId(self.types.len());
        let name = self.type_names.claim(name);
        self.by_name.insert(name.clone(), id);
        self.types.push(TypeDef::new(name, None, TypeKind::Alias(TypeRef::Json)));
        self.handles.insert(pointer.clone(), id);
        id
    }

    /// Lowers the schema of the reserved type `id`, found at `pointer`.
    fn complete(&mut self, id: TypeId, schema: SchemaRef<'a>, pointer: &Pointer) {
        let name = self.types[id.0].name.clone();
        let kind = match schema {
            SchemaRef::Item(schema) => self.type_kind(schema, pointer, &name),
            reference => TypeKind::Alias(self.lower_schema(reference, pointer, &[]).ty),
        };
        let doc = match schema {
            SchemaRef::Item(schema) if kind == TypeKind::Alias(TypeRef::Json) => {
                join(describe(schema), fallback_note(schema))
            }
            SchemaRef::Item(schema) => describe(schema),
            SchemaRef::Ref(_) => None,
        };
        let def = &mut self.types[id.0];
        (def.kind, def.doc) = (kind, doc);
        self.completed.push(id);
    }

    /// Aliases whose references go round have no type: each becomes
    /// `serde_json::Value`, and a cycle of bare `$ref`s, which describes no value at
    /// all, is a problem at its first schema.
    pub(super) fn break_alias_cycles(&mut self) {
        for cycle in super::recursion::alias_cycles(&self.types) {
            let pointers: Vec<Pointer> = cycle.members.iter().map(|id| self.pointer_of(*id)).collect();
            let mut names: Vec<String> = pointers.iter().map(|p| refs::step_name(&p.to_string())).collect();
            names.push(names[0].clone());
            let (message, hint) = refs::Unresolved::Cycle(names.clone()).explain("", "schemas");
            if cycle.bare {
                self.problems.push(&pointers[0], message, hint);
            }
            let note =
                format!("Typed as `serde_json::Value`: its references go round ({}).", names.join(" -> "));
            for id in &cycle.members {
                let def = &mut self.types[id.0];
                def.kind = TypeKind::Alias(TypeRef::Json);
                def.doc = join(def.doc.take(), Some(note.clone()));
            }
        }
    }

    /// Where the schema of `id` is (the first place, for a type several share).
    fn pointer_of(&self, id: TypeId) -> Pointer {
        let found =
            self.handles.iter().find(|(_, handle)| **handle == id).map(|(pointer, _)| pointer.clone());
        found.unwrap_or_else(|| {
            Pointer::root().join("components").join("schemas").join(&self.types[id.0].name)
        })
    }

    /// The shape of a named type.
    fn type_kind(&mut self, schema: &Schema, pointer: &Pointer, name: &str) -> TypeKind {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => {
                let fields = self.fields(object, pointer, name);
                self.property_examples(object, pointer, &fields);
                TypeKind::Struct(fields)
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
        // A `$ref` reached this schema first and made it a type (an alias: the value's
        // own limits and doc are lowered here instead).
        if let Some(&id) = self.handles.get(pointer).filter(|id| !self.types[id.0].is_alias()) {
            let (nullable, doc) = (nullable(schema), describe(schema));
            return Lowered { ty: TypeRef::Named(id), nullable, checks: Checks::default(), doc };
        }
        let (ty, checks) = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => self.string_schema(schema, string, pointer, names),
            SchemaKind::Type(Type::Integer(integer)) => integer_schema(integer),
            SchemaKind::Type(Type::Number(number)) => number_schema(number),
            SchemaKind::Type(Type::Boolean(_)) => (TypeRef::Bool, Checks::default()),
            SchemaKind::Type(Type::Array(array)) => {
                (self.array_type(array, pointer, names), Checks::default())
            }
            SchemaKind::Type(Type::Object(object)) => {
                (self.object(object, pointer, names), Checks::default())
            }
            SchemaKind::OneOf { one_of: alternatives } => {
                return self.union_schema(schema, alternatives, &pointer.join("oneOf"), pointer, names);
            }
            SchemaKind::AnyOf { any_of: alternatives } => {
                return self.union_schema(schema, alternatives, &pointer.join("anyOf"), pointer, names);
            }
            SchemaKind::AllOf { all_of } => self.all_of_schema(all_of, pointer, names),
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                let object = ObjectType {
                    properties: any.properties.clone(),
                    required: any.required.clone(),
                    ..ObjectType::default()
                };
                (self.object(&object, pointer, names), Checks::default())
            }
            SchemaKind::Not { .. } | SchemaKind::Any(_) => (TypeRef::Json, Checks::default()),
        };
        lowered(schema, ty, checks)
    }

    /// A string enum (a type of its own), or a string of its format with its limits.
    fn string_schema(
        &mut self,
        schema: &Schema,
        string: &StringType,
        pointer: &Pointer,
        names: &[String],
    ) -> (TypeRef, Checks) {
        if !string.enumeration.is_empty() {
            let ty = self.inline_type(TypeKind::Enum(variants(schema, string)), names, pointer);
            return (ty, Checks::default());
        }
        let ty = self.string_type(&string.format);
        // A typed value is well-formed by its type; lengths and patterns are of text.
        let checks = match ty {
            TypeRef::String | TypeRef::Secret => Checks {
                max_length: string.max_length,
                min_length: string.min_length,
                pattern: string.pattern.clone(),
                ..Checks::default()
            },
            _ => Checks::default(),
        };
        (ty, checks)
    }

    /// A list of its items' type (named after `names` with `Item`), any JSON without `items`.
    fn array_type(&mut self, array: &ArrayType, pointer: &Pointer, names: &[String]) -> TypeRef {
        let item_names: Vec<String> = names.iter().map(|n| format!("{n}Item")).collect();
        let item = match &array.items {
            Some(items) => self.lower_schema(items.into(), &pointer.join("items"), &item_names).ty,
            None => TypeRef::Json,
        };
        TypeRef::Vec(Box::new(item))
    }

    /// A `oneOf` or `anyOf` (its list at `list`): the one alternative itself, else an
    /// untagged enum of them.
    fn union_schema(
        &mut self,
        schema: &Schema,
        alternatives: &[ReferenceOr<Schema>],
        list: &Pointer,
        pointer: &Pointer,
        names: &[String],
    ) -> Lowered {
        if let [only] = alternatives {
            return self.lower_schema(only.into(), &list.join(0), names);
        }
        let name = names.first().cloned().unwrap_or_else(|| "Value".into());
        let tag = schema.schema_data.discriminator.as_ref();
        let variants = self.alternatives(alternatives, list, &name, tag);
        let ty = self.inline_type(TypeKind::Untagged(variants), names, pointer);
        lowered(schema, ty, Checks::default())
    }

    /// An `allOf`: its one part itself, else a struct of the parts' fields merged (any
    /// JSON where they cannot be).
    fn all_of_schema(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        pointer: &Pointer,
        names: &[String],
    ) -> (TypeRef, Checks) {
        if let [only] = parts {
            let inner = self.lower_schema(only.into(), &pointer.join("allOf").join(0), names);
            return (inner.ty, inner.checks);
        }
        let name = names.first().cloned().unwrap_or_else(|| "Value".into());
        let ty = match self.merged_fields(parts, pointer, &name) {
            Some(fields) => self.inline_type(TypeKind::Struct(fields), names, pointer),
            None => TypeRef::Json,
        };
        (ty, Checks::default())
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

    /// A `$ref` to a schema: the type of the schema at its end. One that reaches no
    /// schema is a problem, or in the lenient mode a warning and a `serde_json::Value`.
    fn lower_ref(&mut self, reference: &str, at: &Pointer) -> Lowered {
        let nullable = self.referenced_schema(reference).is_some_and(nullable);
        let unresolved = match self.ref_type(reference) {
            Ok(id) => {
                return Lowered { ty: TypeRef::Named(id), nullable, checks: Checks::default(), doc: None };
            }
            Err(unresolved) => unresolved,
        };
        let (message, hint) = unresolved.explain(reference, "schemas");
        let doc = Some(format!("Typed as `serde_json::Value`: {message}."));
        if self.options.skip_unsupported {
            let line = self.parsed.line_of(&at.to_string());
            let message = format!("{message}: the value is typed as `serde_json::Value`");
            self.warnings.push(Problem {
                pointer: at.to_string(),
                message,
                hint: Some(hint),
                line,
                file: None,
            });
        } else {
            self.problems.push(at, message, hint);
        }
        Lowered { ty: TypeRef::Json, nullable: false, checks: Checks::default(), doc }
    }

    /// The type a `$ref` reaches: a component's, or the type of a schema elsewhere (in a
    /// `$defs`, under `#/paths/…`), made the first time a reference reaches it. A chain
    /// of bare references outside the components is followed to its end.
    fn ref_type(&mut self, reference: &str) -> Result<TypeId, refs::Unresolved> {
        let parsed = self.parsed;
        let mut passed: Vec<Pointer> = Vec::new();
        let mut current = reference;
        loop {
            let pointer = Pointer::from_ref(current).ok_or(refs::Unresolved::Elsewhere)?;
            if let Some(&id) = self.handles.get(&pointer).or_else(|| self.inline.get(&pointer)) {
                return Ok(id);
            }
            if passed.contains(&pointer) {
                passed.push(pointer);
                return Err(refs::Unresolved::Cycle(passed.iter().map(|p| p.to_string()).collect()));
            }
            let schema = match parsed.referenced_schemas.get(&pointer) {
                Some(ReferenceOr::Item(schema)) => schema,
                Some(ReferenceOr::Reference { reference }) => {
                    passed.push(pointer);
                    current = reference;
                    continue;
                }
                None if refs::component_name(current, "schemas").is_some() => {
                    return Err(refs::Unresolved::Missing);
                }
                None => return Err(refs::Unresolved::Elsewhere),
            };
            let id = self.reserve_from_pointer(&pointer);
            self.complete(id, SchemaRef::Item(schema), &pointer);
            return Ok(id);
        }
    }

    /// A handle for a schema no component names, named from its place: the name of a
    /// `$defs` entry where it is free, else the words of its pointer
    /// (`#/components/schemas/Token/$defs/Meta` -> `Meta`, then `TokenMeta`;
    /// `#/paths/~1pets/get/responses/200/content/application~1json/schema` ->
    /// `GetPetsResponse200`).
    fn reserve_from_pointer(&mut self, pointer: &Pointer) -> TypeId {
        let tokens: Vec<String> = pointer.tokens().collect();
        let mut words: Vec<String> = Vec::new();
        let mut at = 0;
        while let Some(token) = tokens.get(at) {
            match token.as_str() {
                "paths" if at + 2 < tokens.len() => {
                    words.push(naming::from_path(&tokens[at + 2], &tokens[at + 1]));
                    at += 2;
                }
                // The media type after it says nothing of the value.
                "content" => at += 1,
                "responses" => words.push("Response".into()),
                "requestBody" => words.push("Request".into()),
                "parameters" => words.push("Param".into()),
                "items" => words.push("Item".into()),
                "additionalProperties" => words.push("Value".into()),
                "components" | "schemas" | "schema" | "webhooks" | "$defs" | "definitions" | "properties" => {
                }
                _ => words.push(token.clone()),
            }
            at += 1;
        }
        let full = naming::pascal(&words.join(" "));
        let defined =
            tokens.len() > 1 && matches!(tokens[tokens.len() - 2].as_str(), "$defs" | "definitions");
        let short = tokens.last().filter(|_| defined).map(|t| naming::pascal(t));
        let name = short.filter(|s| self.type_names.is_free(s)).unwrap_or(full);
        self.reserve(name, pointer)
    }

    /// The schema a reference ends at, through chains; `None` where it ends at none
    /// (a cycle or a reference to no schema is reported where the type is lowered).
    pub(super) fn referenced_schema(&self, reference: &str) -> Option<&'a Schema> {
        let parsed = self.parsed;
        let lookup = |reference: &str| match refs::component_name(reference, "schemas") {
            Some(name) => {
                let schemas = parsed.openapi.components.as_ref().map(|c| &c.schemas);
                schemas.and_then(|s| s.get(&name)).ok_or(refs::Unresolved::Missing)
            }
            None => Pointer::from_ref(reference)
                .and_then(|p| parsed.referenced_schemas.get(&p))
                .ok_or(refs::Unresolved::Elsewhere),
        };
        refs::follow_ref(reference, lookup).ok().map(|(schema, _)| schema)
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
        self.inline_type(TypeKind::Struct(fields), names, pointer)
    }

    fn fields(&mut self, object: &ObjectType, pointer: &Pointer, parent: &str) -> Vec<Field> {
        let mut field_names = Namespace::default();
        let mut fields = Vec::new();
        for (wire, schema) in &object.properties {
            let prop = naming::pascal(wire);
            let names = [prop.clone(), format!("{parent}{prop}")];
            let lowered = self.lower_schema(schema.into(), &pointer.join("properties").join(wire), &names);
            let doc = match SchemaRef::from(schema) {
                SchemaRef::Ref(reference) if lowered.doc.is_none() => {
                    self.referenced_schema(reference).and_then(describe)
                }
                _ => lowered.doc,
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

    /// The variants of a `oneOf`/`anyOf`. Where every alternative has values of one
    /// property that select it (`tags`), each carries them, and under a discriminator is
    /// named by its first; otherwise variants are named by their types and tried in order.
    fn alternatives(
        &mut self,
        alternatives: &[ReferenceOr<Schema>],
        pointer: &Pointer,
        parent: &str,
        discriminator: Option<&Discriminator>,
    ) -> Vec<UntaggedVariant> {
        let mut tags = self.union_tags(alternatives, discriminator).map(Vec::into_iter);
        let mut variant_names = Namespace::default();
        alternatives
            .iter()
            .enumerate()
            .map(|(index, alternative)| {
                let inline_name = format!("{parent}Variant{}", index + 1);
                let lowered = self.lower_schema(alternative.into(), &pointer.join(index), &[inline_name]);
                let tag = tags.as_mut().and_then(Iterator::next);
                let name = match (&tag, &lowered.ty) {
                    (Some(tag), _) if discriminator.is_some() => naming::pascal(&tag.values[0]),
                    (_, TypeRef::Named(id)) => self.types[id.0].name.clone(),
                    (_, ty) => variant_name(ty),
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

    /// Registers an inline type, found at `at`, under the first usable name of `names`:
    /// a free one, or one whose type is the same.
    fn inline_type(&mut self, kind: TypeKind, names: &[String], at: &Pointer) -> TypeRef {
        let id = self.inline_id(kind, names);
        self.inline.entry(at.clone()).or_insert(id);
        TypeRef::Named(id)
    }

    fn inline_id(&mut self, kind: TypeKind, names: &[String]) -> TypeId {
        for name in names {
            match self.by_name.get(name) {
                Some(&id) if self.types[id.0].kind == kind => return id,
                Some(_) => {}
                None if self.type_names.is_free(name) => return self.define(name.clone(), kind),
                None => {}
            }
        }
        self.define(names.last().cloned().unwrap_or_else(|| "Value".into()), kind)
    }

    fn define(&mut self, name: String, kind: TypeKind) -> TypeId {
        let id = TypeId(self.types.len());
        let name = self.type_names.claim(name);
        self.by_name.insert(name.clone(), id);
        self.types.push(TypeDef::new(name, None, kind));
        self.completed.push(id);
        id
    }
}

/// Whether a value of `schema` may be `null`: `nullable`, or `null` among its values.
/// `schema` lowered to `ty` with `checks`: its nullability and doc, and where it is any
/// JSON, a note of what it could not be typed as.
fn lowered(schema: &Schema, ty: TypeRef, checks: Checks) -> Lowered {
    let mut doc = describe(schema);
    if ty == TypeRef::Json {
        doc = join(doc, fallback_note(schema));
    }
    Lowered { ty, nullable: nullable(schema), checks, doc }
}

/// An `i32` or `i64` by its format, its bounds inclusive.
fn integer_schema(integer: &IntegerType) -> (TypeRef, Checks) {
    let ty = match integer.format {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
        _ => TypeRef::I64,
    };
    let inclusive = |bound: Option<i64>, exclusive: bool, step: i64| {
        bound.map(|b| (b + i64::from(exclusive) * step) as f64)
    };
    let checks = Checks {
        minimum: inclusive(integer.minimum, integer.exclusive_minimum, 1),
        maximum: inclusive(integer.maximum, integer.exclusive_maximum, -1),
        ..Checks::default()
    };
    (ty, checks)
}

/// An `f64`, with the bounds it includes (an exclusive one is not checked).
fn number_schema(number: &NumberType) -> (TypeRef, Checks) {
    let checks = Checks {
        minimum: number.minimum.filter(|_| !number.exclusive_minimum),
        maximum: number.maximum.filter(|_| !number.exclusive_maximum),
        ..Checks::default()
    };
    (TypeRef::F64, checks)
}

fn nullable(schema: &Schema) -> bool {
    let null_listed =
        matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s)) if s.enumeration.contains(&None));
    schema.schema_data.nullable || null_listed
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

/// A variant's name from its type, for a type without a name of its own.
fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(_) => "Named".into(),
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
