//! Which webhook a verified body is: the [`Event`] a generated module implements, and
//! the choice among its [`Route`]s.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use super::{Scheme, WebhookError};

/// The events of one document: what a generated `WebhookEvent` implements.
pub trait Event: Sized {
    /// The webhooks, in document order, each with what tells its body apart.
    const ROUTES: &'static [Route];

    /// The signature scheme the document declares; `None` when it declares none.
    fn scheme() -> Option<Scheme>;

    /// `body` decoded as the webhook named `webhook` (one of [`ROUTES`](Event::ROUTES)'
    /// names), or as the catch-all for any other name. [`decode_as`] does each.
    fn decode(webhook: &str, body: &[u8]) -> Result<Self, WebhookError>;
}

/// One webhook's way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Its name in the document.
    pub webhook: &'static str,
    /// The top-level property and value only its bodies have; `None`: it is tried, in
    /// document order, when no route's tag matches.
    pub tag: Option<Tag>,
}

/// A discriminating property: `type` is `order.created`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// The property's name.
    pub property: &'static str,
    /// The value it holds in this webhook's bodies.
    pub value: &'static str,
}

/// Any JSON, with no scheme declared: `Webhooks::<Json>::new(secret).scheme(…)`
/// verifies a provider's webhooks without a generated module, and signs for one.
impl Event for serde_json::Value {
    const ROUTES: &'static [Route] = &[];

    fn scheme() -> Option<Scheme> {
        None
    }

    fn decode(_: &str, body: &[u8]) -> Result<Self, WebhookError> {
        decode_as(OTHER, body)
    }
}

/// The name [`Event::decode`] is given for a body no route takes.
pub const OTHER: &str = "other";

/// `body` as a `T`, or the decode error for `webhook` naming where it failed (never a
/// value of the body).
pub fn decode_as<T: DeserializeOwned>(webhook: &'static str, body: &[u8]) -> Result<T, WebhookError> {
    crate::decode::json(body).map_err(|reason| WebhookError::Decode { webhook, reason })
}

/// The event `body` is: the route its tag names (and then it must decode as that route),
/// else the first untagged route it decodes as, else [`OTHER`].
pub(super) fn choose<E: Event>(body: &[u8]) -> Result<E, WebhookError> {
    let tagged = E::ROUTES.iter().filter_map(|route| Some((route.webhook, route.tag?)));
    let mut properties: Vec<&'static str> = Vec::new();
    for (_, tag) in tagged.clone() {
        if !properties.contains(&tag.property) {
            properties.push(tag.property);
        }
    }
    if !properties.is_empty() {
        let values = tag_values(body, &properties);
        let value_of =
            |property| properties.iter().position(|p| *p == property).and_then(|i| values[i].as_deref());
        if let Some((webhook, _)) = tagged.clone().find(|(_, tag)| value_of(tag.property) == Some(tag.value))
        {
            return E::decode(webhook, body);
        }
    }
    let untagged = E::ROUTES.iter().filter(|route| route.tag.is_none());
    untagged
        .map(|route| E::decode(route.webhook, body))
        .find_map(Result::ok)
        .map_or_else(|| E::decode(OTHER, body), Ok)
}

/// The string values of the top-level `properties` of a JSON object, by position; all
/// `None` when the body is not an object (decoding says what is wrong with it).
fn tag_values(body: &[u8], properties: &[&str]) -> Vec<Option<String>> {
    let mut found = vec![None; properties.len()];
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    // Reading stops once every property is found (a `type` usually comes first), which
    // serde_json then calls an unfinished object: that error is expected, and what was
    // found is kept either way.
    let _ = TagReader { properties, found: &mut found }.deserialize(&mut deserializer);
    found
}

/// Reads an object's properties until it has the named ones' string values: nothing is
/// built for the rest.
struct TagReader<'p, 'f> {
    properties: &'p [&'p str],
    found: &'f mut Vec<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for TagReader<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TagReader<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut missing = self.properties.len();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let Some(i) = self.properties.iter().position(|p| *p == key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            self.found[i] = map.next_value::<serde_json::Value>()?.as_str().map(str::to_owned);
            missing -= 1;
            if missing == 0 {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_values_come_from_the_top_level_only() {
        let body = br#"{"data": {"type": "inner"}, "kind": 3, "type": "outer\u002e"}"#;
        assert_eq!(tag_values(body, &["type", "kind"]), vec![Some("outer.".to_string()), None]);
        assert_eq!(tag_values(b"[1]", &["type"]), vec![None]);
        assert_eq!(tag_values(b"{\"type\": ", &["type"]), vec![None]);
        // Found before the end: the rest, even broken, is not read (decoding reads it).
        assert_eq!(tag_values(br#"{"type": "a", "x": [1,"#, &["type"]), vec![Some("a".to_string())]);
    }
}
