//! YAML text -> the JSON value later stages read. serde_yaml's own `Value` refuses an
//! integer past 64 bits ("invalid type: integer … as i128"), which vendors' documents
//! print (`minimum: -9223372036854776000` is `i64::MIN` gone through a float): such a
//! number is read as the nearest float, as the JSON reader does, and the adapter then
//! fits it as it fits every number. Keys that are not strings (`200:`) become their
//! text; a tag (`!Ref x`) is dropped, its value kept.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses YAML text into a JSON value.
pub fn parse(text: &str) -> Result<Value, serde_yaml::Error> {
    serde_yaml::from_str::<Json>(text).map(|json| json.0)
}

/// A YAML node as a JSON value.
struct Json(Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(Json)
    }
}

/// A mapping key as JSON's string key.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Key(match Json::deserialize(deserializer)?.0 {
            Value::String(text) => text,
            other => other.to_string(),
        }))
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }

    /// `.nan` and `.inf` have no JSON form: null, as before.
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Json::deserialize(deserializer).map(|json| json.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Json(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some((Key(key), Json(value))) = map.next_entry()? {
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }

    /// A tagged node: serde_yaml gives the tag as the variant.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (de::IgnoredAny, variant) = data.variant()?;
        variant.newtype_variant::<Json>().map(|json| json.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_past_64_bits_are_the_nearest_float() {
        let value = parse("min: -9223372036854776000\nmax: 18446744073709552000\nbig: 1e400\n").unwrap();
        assert_eq!(value["min"].as_f64(), Some(-9223372036854775808.0));
        assert_eq!(value["max"].as_f64(), Some(18446744073709551616.0));
        assert_eq!(value["big"], "1e400", "no float holds it: text, for the adapter to judge");
    }

    #[test]
    fn keys_become_text_and_tags_are_dropped() {
        let value = parse("200: {a: !Tagged x}\ntrue: 1\n~: 2\n1.5: 3\n").unwrap();
        assert_eq!(value["200"]["a"], "x");
        assert_eq!(
            (value["true"].as_i64(), value["null"].as_i64(), value["1.5"].as_i64()),
            (Some(1), Some(2), Some(3))
        );
    }
}
