//! Decoding the unions generated code declares (`oneOf`/`anyOf`): by the text of one
//! property ([`Tagged`]), or by trying each variant ([`Untagged`]). A union that answers
//! carry is open: a value no variant takes is kept whole in its last variant, so a
//! vendor's new kind of item does not fail the answer that carries it.

use std::any::type_name;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer,
    StringDeserializer,
};
use serde::de::{self, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

use crate::Json;
use crate::lenient::{Lenient, Text};

/// A union whose variant is named by the text of one property (a discriminator, or a
/// property each variant declares a distinct constant for).
pub trait Tagged: Sized {
    /// The property, as the wire spells it.
    const PROPERTY: &'static str;

    /// Decodes the variant `tag` selects from `content`, the whole object (the
    /// property included). `None` is a value without the property, or not an object:
    /// an open union keeps it, a closed one refuses it ([`no_variant`]).
    fn variant<'de, D: Deserializer<'de>>(tag: Option<&str>, content: D) -> Result<Self, D::Error>;
}

/// A union whose variant is found by trying each in order.
pub trait Untagged: Sized {
    /// The variants' names, in the order they are tried (an open union's last, which
    /// keeps any value, is not among them).
    const VARIANTS: &'static [&'static str];
    /// Whether `variant(VARIANTS.len(), …)` keeps any value (the union is open).
    const OPEN: bool = false;

    /// Decodes variant `index` from `content`.
    fn variant<'de, D: Deserializer<'de>>(index: usize, content: D) -> Result<Self, D::Error>;
}

/// The error of a closed [`Tagged`] union for a tag no variant has (or none).
pub fn no_variant<E: de::Error>(property: &str, tag: Option<&str>) -> E {
    match tag {
        Some(tag) => E::custom(format!("unknown `{property}` {tag:?}")),
        // As serde words it (`missing_field` wants a `&'static str`).
        None => E::custom(format!("missing field `{property}`")),
    }
}

/// Decodes a [`Tagged`] union: reads the object's entries up to the tag (only those
/// before it are kept), then hands the variant the kept entries, the tag and the rest
/// of the object still unread: no copy of the object when the tag comes first, and
/// never the whole object held twice.
pub fn tagged<'de, D: Deserializer<'de>, T: Tagged>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_any(TaggedVisitor(PhantomData))
}

struct TaggedVisitor<T>(PhantomData<T>);

impl<T: Tagged> TaggedVisitor<T> {
    /// A value that is not an object: only an open union keeps it.
    fn whole<E: de::Error>(value: Json) -> Result<T, E> {
        T::variant(None, value).map_err(E::custom)
    }
}

/// Visitor methods of a value that is not an object.
macro_rules! whole {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<T, E> {
            Self::whole(Json::from(value))
        }
    )*};
}

impl<'de, T: Tagged> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with `{}`", T::PROPERTY)
    }

    whole! { visit_bool(bool); visit_i64(i64); visit_u64(u64); visit_f64(f64); visit_str(&str); visit_string(String); }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Self::whole(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        Self::whole(Json::deserialize(SeqAccessDeserializer::new(seq))?)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut before: Vec<(String, Json)> = Vec::new();
        while let Some(key) = map.next_key_seed(Text)? {
            if key == T::PROPERTY {
                // Borrowed from the input where it can be: no copy of it for the dispatch.
                let tag = map.next_value_seed(Text)?;
                let given = tag.clone();
                let rest = Replay {
                    property: T::PROPERTY,
                    before: before.into_iter(),
                    tag: Some(tag),
                    pending: None,
                    map,
                };
                return T::variant(Some(&given), MapAccessDeserializer::new(rest));
            }
            before.push((key.into_owned(), map.next_value()?));
        }
        Self::whole(Json::Object(before.into_iter().collect()))
    }
}

/// The entries of a tagged object once its tag is read: those read before it, the
/// tag, then the rest from the object itself.
struct Replay<'de, A> {
    property: &'static str,
    before: std::vec::IntoIter<(String, Json)>,
    tag: Option<Cow<'de, str>>,
    pending: Option<Pending<'de>>,
    map: A,
}

/// The value of the entry whose key was just given.
enum Pending<'de> {
    Kept(String, Json),
    Tag(Cow<'de, str>),
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.before.next() {
            let given = seed.deserialize(StrDeserializer::<A::Error>::new(&key));
            self.pending = Some(Pending::Kept(key, value));
            return given.map(Some);
        }
        if let Some(tag) = self.tag.take() {
            self.pending = Some(Pending::Tag(tag));
            return seed.deserialize(StrDeserializer::new(self.property)).map(Some);
        }
        self.map.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.pending.take() {
            Some(Pending::Kept(key, value)) => {
                seed.deserialize(Lenient::new(value, &key, true)).map_err(A::Error::custom)
            }
            Some(Pending::Tag(tag)) => seed.deserialize(TagValue(tag, PhantomData)),
            None => self.map.next_value_seed(seed),
        }
    }
}

/// The tag handed to the variant: its text, read as the variant's field reads it (a
/// string, an enum's value, or `Some` of either where the field is optional: a
/// discriminator the schema does not require).
struct TagValue<'de, E>(Cow<'de, str>, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for TagValue<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Cow::Borrowed(tag) => visitor.visit_borrowed_str(tag),
            Cow::Owned(tag) => visitor.visit_string(tag),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.0 {
            Cow::Borrowed(tag) => BorrowedStrDeserializer::new(tag).deserialize_enum(name, variants, visitor),
            Cow::Owned(tag) => StringDeserializer::new(tag).deserialize_enum(name, variants, visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// Decodes an [`Untagged`] union: each variant is tried on the value as it came, then
/// (none taking it) each again reading scalars leniently (`crate::lenient`), so that a
/// variant the value matches exactly wins over one it matches only by coercion; an
/// open union then keeps the value whole. The error of a closed union names the
/// variant that came closest: the one whose failure was deepest in the value.
pub fn untagged<'de, D: Deserializer<'de>, T: Untagged>(deserializer: D) -> Result<T, D::Error> {
    let value = Json::deserialize(deserializer)?;
    let mut closest: Option<Miss> = None;
    for coerce in [false, true] {
        for (index, name) in T::VARIANTS.iter().enumerate() {
            let mut track = serde_path_to_error::Track::new();
            let content =
                serde_path_to_error::Deserializer::new(Lenient::new(&value, ".", coerce), &mut track);
            match T::variant(index, content) {
                Ok(found) => return Ok(found),
                Err(error) if !coerce => {
                    let miss = Miss { variant: name, path: track.path(), error };
                    if closest.as_ref().is_none_or(|c| miss.depth() > c.depth()) {
                        closest = Some(miss);
                    }
                }
                Err(_) => {}
            }
        }
    }
    let union = type_name::<T>().rsplit("::").next().unwrap_or_default();
    let why = match closest {
        Some(miss) => {
            format!("no variant of `{union}` matches; closest `{}`{}", miss.variant, miss.explain())
        }
        None => format!("no variant of `{union}` matches"),
    };
    if T::OPEN {
        // Kept, not refused: why is still worth a line to whoever reads the logs.
        tracing::debug!("{why}: kept as it came");
        return T::variant(T::VARIANTS.len(), value).map_err(D::Error::custom);
    }
    Err(D::Error::custom(why))
}

/// Why one variant of an untagged union did not take a value.
struct Miss {
    variant: &'static str,
    path: serde_path_to_error::Path,
    error: serde_json::Error,
}

impl Miss {
    fn depth(&self) -> usize {
        self.path.iter().count()
    }

    /// `, at `a.b`: missing field `c``: the path and the kind of failure, never a
    /// value of the body (serde's text quotes them).
    fn explain(&self) -> String {
        let at = match self.path.to_string() {
            path if path == "." => String::new(),
            path => format!(", at `{path}`"),
        };
        format!("{at}: {}", crate::decode::reason(&self.error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Message {
        r#type: String,
        id: String,
        text: Vec<String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Call {
        r#type: String,
        name: String,
        arguments: Option<f64>,
    }

    /// As generated code writes an open union told apart by `type`.
    #[derive(Debug, PartialEq)]
    enum Item {
        Message(Message),
        Call(Box<Call>),
        Other(Json),
    }

    impl Tagged for Item {
        const PROPERTY: &'static str = "type";
        fn variant<'de, D: Deserializer<'de>>(tag: Option<&str>, content: D) -> Result<Self, D::Error> {
            Ok(match tag {
                Some("message" | "Message") => Self::Message(Deserialize::deserialize(content)?),
                Some("call") => Self::Call(Deserialize::deserialize(content)?),
                _ => Self::Other(Deserialize::deserialize(content)?),
            })
        }
    }

    impl<'de> Deserialize<'de> for Item {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            tagged(deserializer)
        }
    }

    fn read<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, String> {
        crate::decode_json(json.to_string().as_bytes())
    }

    #[test]
    fn the_tag_is_found_wherever_it_stands_and_entries_before_it_are_kept() {
        let message = Message { r#type: "message".into(), id: "m1".into(), text: vec!["hi".into()] };
        let first = serde_json::json!({"type": "message", "id": "m1", "text": ["hi"]});
        let middle = serde_json::json!({"id": "m1", "type": "message", "text": ["hi"]});
        let last = serde_json::json!({"id": "m1", "text": ["hi"], "type": "Message"});
        assert_eq!(read::<Item>(first).unwrap(), Item::Message(message));
        assert_eq!(read::<Item>(middle.clone()).unwrap(), read::<Item>(middle).unwrap());
        let Item::Message(named) = read::<Item>(last).unwrap() else { panic!("a message") };
        assert_eq!(named.r#type, "Message");
        // Lenient before the tag, as after it.
        let call = serde_json::json!({"arguments": "1.5", "name": "f", "type": "call"});
        let Item::Call(call) = read::<Item>(call).unwrap() else { panic!("a call") };
        assert_eq!(call.arguments, Some(1.5));
    }

    #[test]
    fn an_open_union_keeps_an_unknown_tag_a_missing_one_and_another_shape() {
        for kept in [
            serde_json::json!({"id": "x", "type": "reasoning", "summary": []}),
            serde_json::json!({"id": "x"}),
            serde_json::json!("text"),
            serde_json::json!([1, 2]),
        ] {
            assert_eq!(read::<Item>(kept.clone()).unwrap(), Item::Other(kept));
        }
        let broken = serde_json::json!({"type": "call", "name": [7]});
        assert!(read::<Item>(broken).is_err(), "a known tag decodes its variant or fails");
    }

    /// A variant whose tag field is optional (a discriminator its schema does not
    /// require, as FHIR's extensions' `url`).
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    struct Extension {
        url: Option<String>,
        value: String,
    }

    #[derive(Debug, PartialEq)]
    enum Extended {
        Note(Extension),
        Other(Json),
    }

    impl Tagged for Extended {
        const PROPERTY: &'static str = "url";
        fn variant<'de, D: Deserializer<'de>>(tag: Option<&str>, content: D) -> Result<Self, D::Error> {
            Ok(match tag {
                Some("note") => Self::Note(Deserialize::deserialize(content)?),
                _ => Self::Other(Deserialize::deserialize(content)?),
            })
        }
    }

    impl<'de> Deserialize<'de> for Extended {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            tagged(deserializer)
        }
    }

    #[test]
    fn an_optional_tag_field_reads_the_tag() {
        let note = Extension { url: Some("note".into()), value: "v".into() };
        for json in [
            serde_json::json!({"url": "note", "value": "v"}),
            serde_json::json!({"value": "v", "url": "note"}),
        ] {
            assert_eq!(read::<Extended>(json).unwrap(), Extended::Note(note.clone()));
        }
    }

    /// As generated code writes a closed union tried variant by variant.
    #[derive(Debug, PartialEq)]
    enum Amount {
        Call(Call),
        Number(f64),
        Text(String),
    }

    impl Untagged for Amount {
        const VARIANTS: &'static [&'static str] = &["Call", "Number", "Text"];
        fn variant<'de, D: Deserializer<'de>>(index: usize, content: D) -> Result<Self, D::Error> {
            Ok(match index {
                0 => Self::Call(Deserialize::deserialize(content)?),
                1 => Self::Number(Deserialize::deserialize(content)?),
                _ => Self::Text(Deserialize::deserialize(content)?),
            })
        }
    }

    impl<'de> Deserialize<'de> for Amount {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            untagged(deserializer)
        }
    }

    #[test]
    fn untagged_variants_match_exactly_before_leniently() {
        assert_eq!(read::<Amount>(serde_json::json!("12")).unwrap(), Amount::Text("12".into()));
        assert_eq!(read::<Amount>(serde_json::json!(12)).unwrap(), Amount::Number(12.0));
        let call = read::<Amount>(serde_json::json!({"type": "c", "name": "n", "arguments": "2"}));
        assert!(matches!(call.unwrap(), Amount::Call(Call { arguments: Some(2.0), .. })));
    }

    #[test]
    fn an_untagged_miss_names_the_closest_variant_its_path_and_reason_never_a_value() {
        let error = read::<Amount>(serde_json::json!({"type": "c", "name": "LEAK", "arguments": [1]}));
        assert_eq!(
            error.unwrap_err(),
            "no variant of `Amount` matches; closest `Call`, at `arguments`: a value does not \
             match the schema (wrong type, unknown variant or out of range)"
        );
        let error = read::<Amount>(serde_json::json!({"type": "c"})).unwrap_err();
        assert!(
            error.starts_with("no variant of `Amount` matches; closest `Call`: missing field `name`"),
            "{error}"
        );
    }
}
