//! Decoding the structs generated code declares ([`deserialize_struct!`]): one visitor
//! of an object's entries, matched by wire name. serde's derive writes, for every
//! struct, a field enum with a visitor of strings, bytes and indices, and visitors of
//! both a map and a sequence: on a generated crate that is more than a third of the
//! code the compiler checks. What it decides is kept: an unknown entry is skipped, a
//! repeated one is an error (`duplicate field`), an absent one is `None` for an
//! `Option` and an error otherwise (`missing field`); the words are serde's.
//!
//! [`deserialize_struct!`]: crate::deserialize_struct

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// Reads an entry's key as the wire name of the field it is, from the struct's list
/// (`None`: not a field of it), without copying the key.
pub struct FieldKey(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = Option<&'static str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for FieldKey {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().copied().find(|wire| *wire == key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        Ok(self.0.iter().copied().find(|wire| wire.as_bytes() == key))
    }
}

/// Reads the value of the entry `wire` into `slot`; a second entry of that name is an
/// error.
pub fn take_field<'de, A, T>(map: &mut A, slot: &mut Option<T>, wire: &'static str) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The field `wire` once the object is read: its value, or for an absent one what the
/// field's type makes of nothing (`None` for an `Option`, `missing field` otherwise).
pub fn field<'de, T: Deserialize<'de>, E: de::Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Missing(wire, PhantomData)),
    }
}

/// The value of an absent field: nothing, which only an `Option` takes.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}
