//! Shorthands generated code builds each request with, so that the shape every operation
//! shares is written once here rather than once per operation: the request of an
//! operation from its path template (written once, filled here), and an optional value
//! added only when it is given.

use std::borrow::Cow;

use reqwest::Method;

use super::request::Request;
use crate::client::ClientCore;

impl ClientCore {
    /// Starts the request of the operation `name` to its path `template`
    /// (`/realms/{realm}/token`), each `{…}` filled in order from `segments` (each already
    /// percent-encoded by [`path_segment`](super::path_segment)); the span names the
    /// operation and its template, never the values.
    pub fn operation(
        &self,
        method: Method,
        name: &'static str,
        template: &'static str,
        segments: &[String],
    ) -> Request<'_> {
        // A path without parameters is the template itself: nothing to allocate.
        let path = match segments {
            [] => Cow::Borrowed(template),
            _ => Cow::Owned(fill(template, segments)),
        };
        self.request(method, &path).operation(name, template)
    }
}

impl Request<'_> {
    /// `add`s `value` where it is given (an optional parameter or body); else the request
    /// as it is.
    pub fn given<T>(self, value: &Option<T>, add: impl FnOnce(Self, &T) -> Self) -> Self {
        match value {
            Some(value) => add(self, value),
            None => self,
        }
    }
}

/// `template` with its `{…}` placeholders replaced, in order, by `segments`.
fn fill(template: &str, segments: &[String]) -> String {
    let mut path = String::with_capacity(template.len() + segments.iter().map(String::len).sum::<usize>());
    let (mut rest, mut segments) = (template, segments.iter());
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |close| open + close + 1);
        path.push_str(&rest[..open]);
        path.push_str(segments.next().map_or(&rest[open..close], String::as_str));
        rest = &rest[close..];
    }
    path.push_str(rest);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_order() {
        let segments = ["acme".to_string(), "a%2Fb".to_string()];
        assert_eq!(fill("/orgs/{org}/items/{item-id}.json", &segments), "/orgs/acme/items/a%2Fb.json");
        assert_eq!(fill("/orgs/{org}", &segments[..1]), "/orgs/acme");
        assert_eq!(fill("/plain", &[]), "/plain");
    }

    #[test]
    fn a_placeholder_without_its_segment_stays_as_written() {
        assert_eq!(fill("/a/{x}/b/{y}", &["1".to_string()]), "/a/1/b/{y}");
        assert_eq!(fill("/a/{unclosed", &["1".to_string()]), "/a/1");
    }
}
