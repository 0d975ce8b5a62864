//! Reading answers as vendors write them: a [`Deserializer`] around the JSON one that
//! lets a number field read a string holding a number in JSON's own syntax (`"50.00"`,
//! `"-0.0025"`), a text field read a number or boolean as its text, and a boolean read
//! `"true"`/`"false"`. Nothing else is coerced, and each coercion is a `tracing` debug
//! event naming the field (never the value). It wraps what the runtime decodes (answers,
//! stream items, webhook bodies), never what it sends, so generated types need no
//! attribute for it and sending stays exactly as the schema says.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Error as _, MapAccess, SeqAccess, Visitor,
    value::{BorrowedStrDeserializer, StrDeserializer},
};

/// What the type asked for, where another JSON type may stand in for it.
#[derive(Clone, Copy)]
enum Want {
    Number,
    Text,
    Bool,
}

/// The deserializer `inner`, read leniently where `coerce` (else only passed through,
/// for a union's first, strict, try); `field` is the wire name of the value it reads.
pub(crate) struct Lenient<'f, D> {
    inner: D,
    field: &'f str,
    coerce: bool,
}

impl<'f, D> Lenient<'f, D> {
    /// `inner` read leniently (`coerce`) or strictly, as the value of `field`.
    pub(crate) fn new(inner: D, field: &'f str, coerce: bool) -> Self {
        Lenient { inner, field, coerce }
    }

    fn wrap<V>(&self, inner: V) -> Wrap<'f, V> {
        Wrap { inner, field: self.field, coerce: self.coerce, object: false }
    }
}

/// Deserializer methods passed on with the visitor wrapped, so that what the value
/// holds is read the same way.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            let visitor = self.wrap(visitor);
            self.inner.$method($($arg,)* visitor)
        }
    )*};
}

/// Deserializer methods for a scalar another JSON type may stand in for.
macro_rules! coerce {
    ($($method:ident => $want:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            if !self.coerce {
                return self.inner.$method(visitor);
            }
            self.inner.deserialize_any(Coerce { inner: visitor, want: Want::$want, field: self.field })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Lenient<'_, D> {
    type Error = D::Error;

    coerce! {
        deserialize_i8 => Number; deserialize_i16 => Number; deserialize_i32 => Number;
        deserialize_i64 => Number; deserialize_i128 => Number; deserialize_u8 => Number;
        deserialize_u16 => Number; deserialize_u32 => Number; deserialize_u64 => Number;
        deserialize_u128 => Number; deserialize_f32 => Number; deserialize_f64 => Number;
        deserialize_str => Text; deserialize_string => Text; deserialize_bool => Bool;
    }

    forward! {
        deserialize_any(); deserialize_char(); deserialize_bytes(); deserialize_byte_buf();
        deserialize_option(); deserialize_unit(); deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str); deserialize_seq();
        deserialize_tuple(len: usize); deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier(); deserialize_ignored_any();
    }

    /// A struct is read from an object only: serde's derive also takes a list of its
    /// fields' values, which no schema of an object allows (and which would let an
    /// untagged union's struct variant take a list meant for another).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = Wrap { object: true, ..self.wrap(visitor) };
        self.inner.deserialize_struct(name, fields, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// Visitor methods passed on unchanged.
macro_rules! pass {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<V::Value, E> {
            self.inner.$method(value)
        }
    )*};
}

/// A visitor whose maps, lists and optional values are read leniently too.
struct Wrap<'f, V> {
    inner: V,
    field: &'f str,
    coerce: bool,
    /// The value must be an object (a struct's).
    object: bool,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass! {
        visit_bool(bool); visit_i8(i8); visit_i16(i16); visit_i32(i32); visit_i64(i64);
        visit_i128(i128); visit_u8(u8); visit_u16(u16); visit_u32(u32); visit_u64(u64);
        visit_u128(u128); visit_f32(f32); visit_f64(f64); visit_char(char); visit_str(&str);
        visit_borrowed_str(&'de str); visit_string(String); visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]); visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Lenient::new(inner, self.field, self.coerce))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Lenient::new(inner, self.field, self.coerce))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.object {
            return Err(A::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        self.inner.visit_seq(Items { seq, field: self.field, coerce: self.coerce })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(Entries { map, key: Cow::Borrowed(""), coerce: self.coerce })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(data)
    }
}

/// A seed whose value is read leniently.
struct Seed<'f, S> {
    seed: S,
    field: &'f str,
    coerce: bool,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, inner: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Lenient::new(inner, self.field, self.coerce))
    }
}

/// The items of a list, each named after the list's field.
struct Items<'f, A> {
    seq: A,
    field: &'f str,
    coerce: bool,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Items<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.seq.next_element_seed(Seed { seed, field: self.field, coerce: self.coerce })
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// The entries of an object, each value named by its key.
struct Entries<'de, A> {
    map: A,
    key: Cow<'de, str>,
    coerce: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key_seed(Text)? else { return Ok(None) };
        self.key = key;
        match &self.key {
            Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some),
            Cow::Owned(key) => seed.deserialize(StrDeserializer::new(key)).map(Some),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(Seed { seed, field: &self.key, coerce: self.coerce })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A key as text, borrowed from the input where it can be.
pub(crate) struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value))
    }
}

/// The visitor of a scalar: what the type wants passes through, the listed other JSON
/// types are converted, anything else reaches the type's own visitor (and its error).
struct Coerce<'f, V> {
    inner: V,
    want: Want,
    field: &'f str,
}

impl<'de, V: Visitor<'de>> Coerce<'_, V> {
    fn event(&self, what: &str) {
        tracing::debug!(field = self.field, "{what}");
    }

    fn text<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        match (self.want, value) {
            (Want::Number, text) if is_json_number(text) => {
                self.event("read a number from a JSON string");
                if let Ok(n) = text.parse::<i64>() {
                    self.inner.visit_i64(n)
                } else if let Ok(n) = text.parse::<u64>() {
                    self.inner.visit_u64(n)
                } else {
                    let n: f64 = text.parse().map_err(|_| E::custom("a number out of range"))?;
                    self.inner.visit_f64(n)
                }
            }
            (Want::Bool, "true" | "false") => {
                self.event("read a boolean from a JSON string");
                self.inner.visit_bool(value == "true")
            }
            _ => self.inner.visit_str(value),
        }
    }

    /// A number or boolean, for a type that wants text.
    fn text_of<E: de::Error>(self, text: String) -> Result<V::Value, E> {
        self.event("read a text from a JSON number or boolean");
        self.inner.visit_string(text)
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Coerce<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.inner.visit_str(value),
            Want::Number | Want::Bool => self.text(value),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.inner.visit_borrowed_str(value),
            Want::Number | Want::Bool => self.text(value),
        }
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.inner.visit_string(value),
            Want::Number | Want::Bool => self.text(&value),
        }
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.text_of(value.to_string()),
            Want::Number | Want::Bool => self.inner.visit_i64(value),
        }
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.text_of(value.to_string()),
            Want::Number | Want::Bool => self.inner.visit_u64(value),
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.text_of(value.to_string()),
            Want::Number | Want::Bool => self.inner.visit_f64(value),
        }
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.text_of(value.to_string()),
            Want::Number | Want::Bool => self.inner.visit_bool(value),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(map)
    }
}

/// Whether `text` is a number as JSON writes one: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
/// (no `+`, no leading zeros, no `NaN`, no spaces).
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
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let n = digits(exponent);
        return n > 0 && n == exponent.len();
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Invoice {
        price: f64,
        count: i32,
        number: String,
        paid: bool,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        lines: Vec<i64>,
    }

    fn read<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        T::deserialize(Lenient::new(&mut deserializer, ".", true))
    }

    #[test]
    fn numbers_texts_and_booleans_read_what_vendors_send() {
        let read: Invoice =
            read(r#"{"price":"-0.0025","count":"12","number":1,"paid":"true","note":false,"lines":["7",8]}"#)
                .unwrap();
        let expected = Invoice {
            price: -0.0025,
            count: 12,
            number: "1".into(),
            paid: true,
            note: Some("false".into()),
            lines: vec![7, 8],
        };
        assert_eq!(read, expected);
    }

    #[test]
    fn nothing_else_is_coerced() {
        let base = r#""price":1,"count":1,"number":"a","paid":true"#;
        for bad in [
            r#""price":"1,5""#,
            r#""price":" 1""#,
            r#""price":"NaN""#,
            r#""price":"+1""#,
            r#""price":"01""#,
            r#""count":"1.5""#,
            r#""count":"99999999999""#,
            r#""paid":"yes""#,
            r#""paid":1"#,
            r#""number":[1]"#,
            r#""number":null"#,
        ] {
            let key = &bad[..bad.find(':').unwrap()];
            let rest: Vec<&str> = base.split(',').filter(|part| !part.starts_with(key)).collect();
            let json = format!("{{{},{bad}}}", rest.join(","));
            assert!(read::<Invoice>(&json).is_err(), "{json}");
        }
        assert!(read::<Invoice>(r#"{"price":1,"count":1,"number":"a"}"#).is_err());
        assert!(read::<Invoice>(r#"[1,1,"a",true]"#).is_err(), "an object is never read from a list");
    }

    #[test]
    fn json_numbers_are_recognised_by_json_syntax() {
        for good in ["0", "-0", "50.00", "-0.0025", "12", "1e5", "1.5E-3", "2e+10"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "1 ", "0x10", "Infinity", "1_000"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }
}
