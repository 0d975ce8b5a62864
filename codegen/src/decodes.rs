//! Whether a JSON value decodes into a type of the model as the generated client
//! decodes an answer (`authgen_runtime::decode_json`), without compiling the client:
//! what the mock asks of a documented example before serving it.
//!
//! It follows what the emitted serde code and the runtime accept. The client reads a
//! body twice before it refuses it: as serde reads it (no coercion), then leniently (a
//! number or boolean from a string in JSON's own syntax, a text from a number or
//! boolean). A struct is read from an object only (`deserialize_struct!`).
//! Unknown properties are ignored; an `Option` field may be `null` or absent; a string
//! enum or union that answers carry is open (it keeps what it does not list); a union
//! with tags is chosen by its property's value, one without by trying each variant;
//! `date-time`, `date` and `uuid` are parsed by the crates the client parses them with;
//! an integer must fit its Rust type.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::model::{Field, Tag, TypeDef, TypeKind, TypeRef, UntaggedVariant};

/// Why a value does not decode, and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The place in the value, as the runtime names it (`data[0].createdAt`); empty: the
    /// value itself.
    pub at: String,
    /// What is wrong there.
    pub why: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.at.as_str() {
            "" => f.write_str(&self.why),
            at => write!(f, "at `{at}`: {}", self.why),
        }
    }
}

impl Refusal {
    fn new(why: impl Into<String>) -> Self {
        Refusal { at: String::new(), why: why.into() }
    }

    /// The refusal of a part of a value, named from the value holding it.
    fn within(mut self, part: &str) -> Self {
        let joined = match (part.starts_with('['), self.at.is_empty()) {
            (_, true) => part.to_string(),
            (_, false) if self.at.starts_with('[') => format!("{part}{}", self.at),
            _ => format!("{part}.{}", self.at),
        };
        self.at = joined;
        self
    }
}

/// `Ok` where `value` decodes into `ty` (of the model whose types are `types`) as the
/// generated client decodes an answer; else why not.
pub fn decodes(value: &Value, ty: &TypeRef, types: &[TypeDef]) -> Result<(), Refusal> {
    let strict = Decoder { types, lenient: false }.value(value, ty);
    strict.or_else(|_| Decoder { types, lenient: true }.value(value, ty))
}

/// A number as JSON holds one.
#[derive(Clone, Copy)]
enum Number {
    Signed(i64),
    Unsigned(u64),
    Float,
}

/// One reading of a value: as serde reads it, or leniently.
struct Decoder<'t> {
    types: &'t [TypeDef],
    lenient: bool,
}

impl Decoder<'_> {
    fn value(&self, value: &Value, ty: &TypeRef) -> Result<(), Refusal> {
        match ty {
            TypeRef::Json => Ok(()),
            TypeRef::String | TypeRef::Secret | TypeRef::Binary => self.text(value).map(drop),
            TypeRef::Bool => self.boolean(value),
            TypeRef::I32 => self.integer(value, i32::MIN.into(), i32::MAX.into()),
            TypeRef::I64 => self.integer(value, i64::MIN, i64::MAX),
            TypeRef::F64 => self.number(value).map(drop),
            TypeRef::DateTime => self.parsed::<chrono::DateTime<chrono::FixedOffset>>(value, "a date-time"),
            TypeRef::Date => self.parsed::<chrono::NaiveDate>(value, "a date"),
            TypeRef::Uuid => self.parsed::<uuid::Uuid>(value, "a UUID"),
            TypeRef::Named(id) => self.named(value, &self.types[id.0]),
            TypeRef::Vec(item) => self.list(value, item),
            TypeRef::Map(item) => {
                let entries = value.as_object().ok_or_else(|| Refusal::new("not an object"))?;
                entries.iter().try_for_each(|(key, v)| self.value(v, item).map_err(|r| r.within(key)))
            }
        }
    }

    fn list(&self, value: &Value, item: &TypeRef) -> Result<(), Refusal> {
        let items = value.as_array().ok_or_else(|| Refusal::new("not a list"))?;
        let each = |(i, v): (usize, &Value)| self.value(v, item).map_err(|r| r.within(&format!("[{i}]")));
        items.iter().enumerate().try_for_each(each)
    }

    /// The text a text field reads from `value`.
    fn text(&self, value: &Value) -> Result<String, Refusal> {
        match value {
            Value::String(text) => Ok(text.clone()),
            Value::Number(_) | Value::Bool(_) if self.lenient => Ok(value.to_string()),
            _ => Err(Refusal::new("not a string")),
        }
    }

    fn boolean(&self, value: &Value) -> Result<(), Refusal> {
        match value {
            Value::Bool(_) => Ok(()),
            Value::String(text) if self.lenient && (text == "true" || text == "false") => Ok(()),
            _ => Err(Refusal::new("not a boolean")),
        }
    }

    /// The number a number field reads from `value`.
    fn number(&self, value: &Value) -> Result<Number, Refusal> {
        match value {
            Value::Number(n) => Ok(match (n.as_i64(), n.as_u64()) {
                (Some(n), _) => Number::Signed(n),
                (None, Some(n)) => Number::Unsigned(n),
                (None, None) => Number::Float,
            }),
            Value::String(text) if self.lenient && is_json_number(text) => Ok(number_in(text)),
            _ => Err(Refusal::new("not a number")),
        }
    }

    fn integer(&self, value: &Value, min: i64, max: i64) -> Result<(), Refusal> {
        let fits = match self.number(value)? {
            Number::Signed(n) => (min..=max).contains(&n),
            Number::Unsigned(n) => i64::try_from(n).is_ok_and(|n| n <= max),
            Number::Float => false,
        };
        fits.then_some(()).ok_or_else(|| Refusal::new("not an integer of its range"))
    }

    /// A string the client parses into `T` (what a number or boolean reads as never parses).
    fn parsed<T: FromStr>(&self, value: &Value, what: &str) -> Result<(), Refusal> {
        let text = self.text(value)?;
        text.parse::<T>().map(drop).map_err(|_| Refusal::new(format!("not {what}")))
    }

    fn named(&self, value: &Value, def: &TypeDef) -> Result<(), Refusal> {
        match &def.kind {
            TypeKind::Alias(ty) => self.value(value, ty),
            // An open enum reads any text; a closed one only its values.
            TypeKind::Enum(_) if def.open_variant().is_some() => self.text(value).map(drop),
            TypeKind::Enum(variants) => match value {
                Value::String(text) if variants.iter().any(|v| v.wire == *text) => Ok(()),
                _ => Err(Refusal::new("not one of the enum's values")),
            },
            TypeKind::Struct(fields) => self.structure(value, fields),
            TypeKind::Untagged(variants) => self.union(value, variants, def.open_variant().is_some()),
        }
    }

    fn structure(&self, value: &Value, fields: &[Field]) -> Result<(), Refusal> {
        match value {
            Value::Object(object) => fields.iter().try_for_each(|field| self.property(object, field)),
            _ => Err(Refusal::new("not an object")),
        }
    }

    fn property(&self, object: &Map<String, Value>, field: &Field) -> Result<(), Refusal> {
        match object.get(&field.wire) {
            None if field.optional() => Ok(()),
            None => Err(Refusal::new(format!("missing field `{}`", field.wire))),
            Some(Value::Null) if field.optional() => Ok(()),
            Some(value) => self.value(value, &field.ty).map_err(|r| r.within(&field.wire)),
        }
    }

    /// A union: by its tag where every variant has one, else the first variant that
    /// takes the value (each tried as the runtime does, reading leniently). An `open`
    /// one keeps what no variant takes, but not a value its tag gives to a variant
    /// that refuses it.
    fn union(&self, value: &Value, variants: &[UntaggedVariant], open: bool) -> Result<(), Refusal> {
        let tags: Option<Vec<&Tag>> = variants.iter().map(|v| v.tag.as_ref()).collect();
        if let Some(tags) = tags {
            return self.tagged(value, variants, &tags, open);
        }
        let tried = Decoder { types: self.types, lenient: true };
        match open || variants.iter().any(|v| tried.value(value, &v.ty).is_ok()) {
            true => Ok(()),
            false => Err(Refusal::new("no variant of the union takes it")),
        }
    }

    fn tagged(
        &self,
        value: &Value,
        variants: &[UntaggedVariant],
        tags: &[&Tag],
        open: bool,
    ) -> Result<(), Refusal> {
        let property = &tags[0].property;
        let Some(object) = value.as_object().filter(|o| o.contains_key(property)) else {
            return open
                .then_some(())
                .ok_or_else(|| Refusal::new(format!("not an object with `{property}`")));
        };
        let tag = self.text(&object[property]).map_err(|r| r.within(property))?;
        let Some((variant, _)) = variants.iter().zip(tags).find(|(_, t)| t.values.contains(&tag)) else {
            return open
                .then_some(())
                .ok_or_else(|| Refusal::new(format!("no variant has this `{property}`")));
        };
        self.tag_field(&variant.ty, property, &tag).map_err(|r| r.within(property))?;
        // The variant reads the tag as text, whatever JSON type it came in.
        let mut object = object.clone();
        object.insert(property.clone(), Value::String(tag));
        self.value(&Value::Object(object), &variant.ty)
    }

    /// Whether the field `property` of the struct `ty` (where it is one) reads `tag` as
    /// the runtime hands it over: text (or `Some` of it), which a number or a boolean
    /// does not read.
    fn tag_field(&self, ty: &TypeRef, property: &str, tag: &str) -> Result<(), Refusal> {
        let mut ty = ty;
        while let TypeRef::Named(id) = ty {
            match &self.types[id.0].kind {
                TypeKind::Alias(inner) => ty = inner,
                TypeKind::Struct(fields) => {
                    let Some(field) = fields.iter().find(|f| f.wire == property) else { return Ok(()) };
                    let strict = Decoder { types: self.types, lenient: false };
                    return strict.value(&Value::String(tag.to_string()), &field.ty);
                }
                TypeKind::Enum(_) | TypeKind::Untagged(_) => return Ok(()),
            }
        }
        Ok(())
    }
}

/// The number `text` (in JSON's syntax) holds, as the lenient read takes it: an integer
/// where it is one, else a float (what JSON's syntax writes always reads as one).
fn number_in(text: &str) -> Number {
    match (text.parse::<i64>(), text.parse::<u64>()) {
        (Ok(n), _) => Number::Signed(n),
        (_, Ok(n)) => Number::Unsigned(n),
        _ => Number::Float,
    }
}

/// Whether `text` is a number as JSON writes one (the runtime's lenient read takes no
/// other): `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`. The runtime's own copy is in
/// `lenient.rs`; the generator runs in build scripts and does not depend on the runtime,
/// so the two are tied by `scalars_decode_exactly_where_the_runtime_decodes_them`.
fn is_json_number(text: &str) -> bool {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let rest = text.strip_prefix('-').unwrap_or(text);
    let whole = digits(rest);
    if whole == 0 || (whole > 1 && rest.starts_with('0')) {
        return false;
    }
    let mut rest = &rest[whole..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            let n = digits(exponent);
            n > 0 && n == exponent.len()
        }
        None => rest.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{TypeDef, Variant};

    /// How the runtime reads a value into one Rust type: whether it decodes.
    type Reads = fn(&Value) -> bool;

    /// Whether the runtime decodes `value` into `T`, as a generated client does.
    fn runtime<T: serde::de::DeserializeOwned>(value: &Value) -> bool {
        authgen_runtime::decode_json::<T>(value.to_string().as_bytes()).is_ok()
    }

    #[test]
    fn scalars_decode_exactly_where_the_runtime_decodes_them() {
        use authgen_runtime::{chrono::NaiveDate, uuid::Uuid};
        use std::collections::BTreeMap;
        let values = [
            json!(null),
            json!(true),
            json!("true"),
            json!("True"),
            json!(0),
            json!(-7),
            json!(2147483648u64),
            json!(u64::MAX),
            json!(1.5),
            json!(1.0),
            json!("12"),
            json!("-0.5"),
            json!("1e3"),
            json!("+1"),
            json!("01"),
            json!(" 1"),
            json!("1."),
            json!("1e400"),
            json!("x"),
            json!([1, "2"]),
            json!({"a": "1"}),
            json!("2024-05-01T12:00:00Z"),
            json!("2024-05-01 12:00:00+02:00"),
            json!("2024-05-01"),
            json!("2024-02-30"),
            json!("67e55044-10b1-426f-9247-bb680e5fe0c8"),
            json!(20240501),
        ];
        let cases: [(TypeRef, Reads); 12] = [
            (TypeRef::String, runtime::<String>),
            (TypeRef::Bool, runtime::<bool>),
            (TypeRef::I32, runtime::<i32>),
            (TypeRef::I64, runtime::<i64>),
            (TypeRef::F64, runtime::<f64>),
            (TypeRef::Json, runtime::<Value>),
            (TypeRef::DateTime, runtime::<authgen_runtime::DateTime>),
            (TypeRef::Date, runtime::<NaiveDate>),
            (TypeRef::Uuid, runtime::<Uuid>),
            (TypeRef::Vec(Box::new(TypeRef::I32)), runtime::<Vec<i32>>),
            (TypeRef::Map(Box::new(TypeRef::Bool)), runtime::<BTreeMap<String, bool>>),
            (TypeRef::Map(Box::new(TypeRef::String)), runtime::<BTreeMap<String, String>>),
        ];
        for (ty, runtime) in &cases {
            for value in &values {
                let ours = decodes(value, ty, &[]).is_ok();
                assert_eq!(ours, runtime(value), "{value} as {ty:?}: ours {ours}");
            }
        }
    }

    fn field(wire: &str, ty: TypeRef, required: bool, nullable: bool) -> Field {
        let checks = crate::model::Checks::default();
        Field {
            name: wire.into(),
            wire: wire.into(),
            ty,
            required,
            nullable,
            doc: None,
            checks,
            boxed: false,
        }
    }

    #[test]
    fn structs_want_their_required_fields_and_ignore_others() {
        let fields = vec![
            field("id", TypeRef::I64, true, false),
            field("note", TypeRef::String, false, false),
            field("gone", TypeRef::String, true, true),
        ];
        let types = [TypeDef::new("Pet".into(), None, TypeKind::Struct(fields))];
        let pet = TypeRef::Named(crate::model::TypeId(0));
        // The struct the generator emits for `Pet`.
        #[allow(dead_code, reason = "only decoded")]
        struct Emitted {
            id: i64,
            note: Option<String>,
            gone: Option<String>,
        }
        authgen_runtime::deserialize_struct!(Emitted, id, note, gone);
        let check = |value: Value| {
            let ours = decodes(&value, &pet, &types).map_err(|r| r.to_string());
            assert_eq!(ours.is_ok(), runtime::<Emitted>(&value), "{value}: {ours:?}");
            ours
        };
        assert_eq!(check(json!({"id": "7", "note": null, "extra": [1]})), Ok(()));
        assert_eq!(check(json!({"note": "a"})), Err("missing field `id`".into()));
        assert_eq!(check(json!({"id": 1, "note": []})), Err("at `note`: not a string".into()));
        // Not from the list of its fields' values, as serde's derive would read it.
        assert_eq!(check(json!([1, "a", null])), Err("not an object".into()));
    }

    #[test]
    fn open_enums_take_any_text_and_tags_choose_the_variant() {
        let kind = Variant { name: "Cat".into(), wire: "cat".into(), doc: None };
        let cat = vec![field("kind", TypeRef::Named(crate::model::TypeId(0)), true, false)];
        let tag = Tag { property: "kind".into(), values: vec!["cat".into()] };
        let variant = UntaggedVariant {
            name: "Cat".into(),
            ty: TypeRef::Named(crate::model::TypeId(1)),
            boxed: false,
            tag: Some(tag),
            validated: false,
        };
        let types = [
            TypeDef::new("Kind".into(), None, TypeKind::Enum(vec![kind])),
            TypeDef::new("Cat".into(), None, TypeKind::Struct(cat)),
            TypeDef::new("Pet".into(), None, TypeKind::Untagged(vec![variant])),
        ];
        let check =
            |value: Value, id: usize| decodes(&value, &TypeRef::Named(crate::model::TypeId(id)), &types);
        assert!(check(json!("dog"), 0).is_ok(), "an enum answers carry keeps what it does not list");
        assert!(check(json!({"kind": "dog"}), 2).is_ok(), "an unknown tag is kept");
        assert!(check(json!({"kind": "cat"}), 2).is_ok());
        assert!(check(json!({"kind": {}}), 2).is_err(), "a tag that is no text is refused");
    }
}
