//! The examples a document gives (of a component schema or one of its properties, of a
//! JSON answer), kept with
//! the type each must decode into, for `authgen-codegen examples` to check (those of a
//! type only sent, which nothing decodes, are dropped once directions are known).

use openapiv3::{MediaType, ObjectType, ReferenceOr, Schema};

use super::{Lowerer, refs};
use crate::diagnostics::Pointer;
use crate::model::{Example, Field, TypeRef};

impl<'a> Lowerer<'a> {
    /// The `example` of the schema at `at`, whose type is `ty`.
    pub(super) fn schema_example(&mut self, schema: &Schema, at: &Pointer, ty: TypeRef) {
        if let Some(value) = &schema.schema_data.example {
            self.keep_example(at.join("example"), &ty, value);
        }
    }

    /// The `example`s of the properties of the named object at `at`, each of its field's
    /// type (`null` for a nullable one is a value the field's `Option` holds: skipped).
    pub(super) fn property_examples(&mut self, object: &ObjectType, at: &Pointer, fields: &[Field]) {
        for ((wire, schema), field) in object.properties.iter().zip(fields) {
            let ReferenceOr::Item(schema) = schema else { continue };
            let Some(value) = schema.schema_data.example.as_ref().filter(|v| !v.is_null()) else { continue };
            self.keep_example(at.join("properties").join(wire).join("example"), &field.ty, value);
        }
    }

    /// The `example` and `examples` of a JSON answer at `at`, whose type is `ty`.
    pub(super) fn media_examples(&mut self, media: &'a MediaType, at: &Pointer, ty: &TypeRef) {
        if let Some(value) = &media.example {
            self.keep_example(at.join("example"), ty, value);
        }
        for (name, example) in &media.examples {
            let at = at.join("examples").join(name);
            if let Some(value) = self.example_value(example) {
                self.keep_example(at.join("value"), ty, value);
            }
        }
    }

    /// The value of an example, or of the component example it refers to (one that
    /// refers nowhere is skipped: the client does not read it).
    pub(super) fn example_value(
        &self,
        example: &'a ReferenceOr<openapiv3::Example>,
    ) -> Option<&'a serde_json::Value> {
        let example = match example {
            ReferenceOr::Item(example) => example,
            ReferenceOr::Reference { reference } => {
                let name = refs::component_name(reference, "examples")?;
                let components = self.doc.components.as_ref()?;
                components.examples.get(&name)?.as_item()?
            }
        };
        example.value.as_ref()
    }

    fn keep_example(&mut self, pointer: Pointer, ty: &TypeRef, value: &serde_json::Value) {
        if *ty != TypeRef::Json {
            self.examples.push(Example {
                pointer: pointer.to_string(),
                ty: ty.clone(),
                value: value.clone(),
            });
        }
    }
}
