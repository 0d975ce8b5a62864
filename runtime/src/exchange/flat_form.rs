//! A form body whose fields are all scalars (a token request, most form bodies), encoded
//! straight from serde: no `serde_json::Value` tree built, its keys hashed and dropped.
//! Each field comes out as `encode::form_text` would write it, every scalar turned into
//! the JSON value it would be there (a non-finite float is null, so left out); anything
//! else (a nested value, an array, a map at the top) is [`NotFlat`], and the caller
//! encodes the body that way instead.

use std::fmt;

use serde::ser::{self, Impossible};
use serde::{Serialize, Serializer as _};
use serde_json::Value;

/// An `application/x-www-form-urlencoded` body of a struct of scalar fields, or `None`
/// for any other shape.
pub(super) fn text<T: Serialize + ?Sized>(body: &T) -> Option<String> {
    // Room for a token request's fields from the start, as `serde_json::to_vec` makes:
    // grown from nothing, the text is copied at 8, 16, 32 and 64 bytes.
    let mut form = Form::new(String::with_capacity(128));
    body.serialize(Top(&mut form)).ok()?;
    Some(form.finish())
}

type Form = form_urlencoded::Serializer<'static, String>;

/// The body is not a struct of scalars.
#[derive(Debug)]
pub(super) struct NotFlat;

impl fmt::Display for NotFlat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a struct of scalar fields")
    }
}

impl std::error::Error for NotFlat {}

impl ser::Error for NotFlat {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotFlat
    }
}

/// The methods of a shape that is not flat: each answers [`NotFlat`].
macro_rules! not_flat {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, NotFlat> {
            Err(NotFlat)
        })*
    };
}

/// What the body's serializer and a field's share: their types (`$strukt`, what a
/// struct is serialized with), a newtype read through, and the shapes neither may have.
macro_rules! shared {
    ($strukt:ty) => {
        type Ok = ();
        type Error = NotFlat;
        type SerializeSeq = Impossible<(), NotFlat>;
        type SerializeTuple = Impossible<(), NotFlat>;
        type SerializeTupleStruct = Impossible<(), NotFlat>;
        type SerializeTupleVariant = Impossible<(), NotFlat>;
        type SerializeMap = Impossible<(), NotFlat>;
        type SerializeStruct = $strukt;
        type SerializeStructVariant = Impossible<(), NotFlat>;

        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<(), NotFlat> {
            value.serialize(self)
        }

        not_flat! {
            serialize_bytes(&[u8]) -> ();
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), NotFlat> {
            Err(NotFlat)
        }
    };
}

/// The body: a struct (through any newtype around it).
struct Top<'f>(&'f mut Form);

impl ser::Serializer for Top<'_> {
    shared!(Self);

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotFlat> {
        Ok(self)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NotFlat> {
        Err(NotFlat)
    }

    not_flat! {
        serialize_bool(bool) -> (); serialize_i8(i8) -> (); serialize_i16(i16) -> ();
        serialize_i32(i32) -> (); serialize_i64(i64) -> (); serialize_i128(i128) -> ();
        serialize_u8(u8) -> (); serialize_u16(u16) -> (); serialize_u32(u32) -> ();
        serialize_u64(u64) -> (); serialize_u128(u128) -> (); serialize_f32(f32) -> ();
        serialize_f64(f64) -> (); serialize_char(char) -> (); serialize_str(&str) -> ();
        serialize_none() -> (); serialize_unit() -> (); serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
    }
}

impl ser::SerializeStruct for Top<'_> {
    type Ok = ();
    type Error = NotFlat;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotFlat> {
        value.serialize(Field { form: self.0, name: key })
    }

    fn end(self) -> Result<(), NotFlat> {
        Ok(())
    }
}

/// One field's value: written as its pair, or left out when it is null.
struct Field<'f> {
    form: &'f mut Form,
    name: &'static str,
}

impl Field<'_> {
    /// A scalar as the JSON value it would be in the tree (the same conversions).
    fn scalar<T: Serialize>(self, value: T) -> Result<(), NotFlat> {
        match serde_json::to_value(value).map_err(|_| NotFlat)? {
            Value::Null => {}
            Value::String(text) => self.serialize_str(&text)?,
            Value::Array(_) | Value::Object(_) => return Err(NotFlat),
            other => self.serialize_str(&other.to_string())?,
        }
        Ok(())
    }
}

/// The scalar methods, each through [`Field::scalar`].
macro_rules! scalars {
    ($($method:ident($ty:ty);)*) => {
        $(fn $method(self, value: $ty) -> Result<(), NotFlat> {
            self.scalar(value)
        })*
    };
}

impl ser::Serializer for Field<'_> {
    shared!(Impossible<(), NotFlat>);

    fn serialize_str(self, value: &str) -> Result<(), NotFlat> {
        self.form.append_pair(self.name, value);
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), NotFlat> {
        self.serialize_str(variant)
    }

    fn serialize_none(self) -> Result<(), NotFlat> {
        Ok(())
    }

    fn serialize_unit(self) -> Result<(), NotFlat> {
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NotFlat> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotFlat> {
        value.serialize(self)
    }

    scalars! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_i128(i128); serialize_u8(u8); serialize_u16(u16);
        serialize_u32(u32); serialize_u64(u64); serialize_u128(u128); serialize_f32(f32);
        serialize_f64(f64); serialize_char(char);
    }
    not_flat! {
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
    }
}
