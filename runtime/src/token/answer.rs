//! A token endpoint's answer as [`TokenFields`](super::TokenFields) reads it: by wire
//! name, straight from the typed answer. Generated code implements [`TokenAnswer`] for
//! each token operation's answer type with a `match` over its fields, so the answer is
//! never turned back into JSON (and needs no `Serialize`).

use serde_json::Value;

use crate::Secret;

/// One field of a token answer, in the shapes lifetimes and scopes come in.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenValue<'a> {
    /// A string: a token, a type, a lifetime sent as text, space-separated scopes.
    Text(&'a str),
    /// A number: a lifetime or an epoch.
    Number(f64),
    /// A list of strings: scopes.
    List(Vec<&'a str>),
}

/// An answer whose fields can be looked up by wire name.
pub trait TokenAnswer {
    /// The field sent as `wire`, if the answer has it and it is not null.
    fn field(&self, wire: &str) -> Option<TokenValue<'_>>;
}

/// A field type that can be read as a [`TokenValue`].
pub trait AsTokenValue {
    /// The value, or `None` for a null or a shape no token field has.
    fn as_token_value(&self) -> Option<TokenValue<'_>>;
}

impl TokenAnswer for Value {
    fn field(&self, wire: &str) -> Option<TokenValue<'_>> {
        self.get(wire)?.as_token_value()
    }
}

impl AsTokenValue for Value {
    fn as_token_value(&self) -> Option<TokenValue<'_>> {
        match self {
            Value::String(text) => Some(TokenValue::Text(text)),
            Value::Number(number) => number.as_f64().map(TokenValue::Number),
            Value::Array(items) => Some(TokenValue::List(items.iter().filter_map(Value::as_str).collect())),
            _ => None,
        }
    }
}

impl AsTokenValue for String {
    fn as_token_value(&self) -> Option<TokenValue<'_>> {
        Some(TokenValue::Text(self))
    }
}

impl AsTokenValue for Secret {
    fn as_token_value(&self) -> Option<TokenValue<'_>> {
        Some(TokenValue::Text(self.expose_secret()))
    }
}

impl AsTokenValue for Vec<String> {
    fn as_token_value(&self) -> Option<TokenValue<'_>> {
        Some(TokenValue::List(self.iter().map(String::as_str).collect()))
    }
}

impl<T: AsTokenValue> AsTokenValue for Option<T> {
    fn as_token_value(&self) -> Option<TokenValue<'_>> {
        self.as_ref()?.as_token_value()
    }
}

impl<T: AsTokenValue + ?Sized> AsTokenValue for Box<T> {
    fn as_token_value(&self) -> Option<TokenValue<'_>> {
        (**self).as_token_value()
    }
}

macro_rules! numbers {
    ($($number:ty),*) => {$(
        impl AsTokenValue for $number {
            fn as_token_value(&self) -> Option<TokenValue<'_>> {
                Some(TokenValue::Number(*self as f64))
            }
        }
    )*};
}

numbers!(i32, i64, u32, u64, f32, f64);
