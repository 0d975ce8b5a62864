//! The mock's own answers: `application/problem+json` (RFC 9457) listing every failure
//! of a request, each with the parameter's name as the spec spells it, the body
//! pointer, or the security scheme.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::params::Location;

/// One thing wrong with a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    place: Place,
    detail: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Place {
    Param { location: Location, name: String, pointer: String },
    Body { pointer: String },
    Scheme { name: String },
}

impl Failure {
    /// Parameter `name` (at `pointer` inside its value, `""` for all of it).
    pub(crate) fn param(location: Location, name: &str, pointer: &str, detail: String) -> Failure {
        Failure { place: Place::Param { location, name: name.into(), pointer: pointer.into() }, detail }
    }

    /// The body at `pointer` (`""` for all of it).
    pub(crate) fn body(pointer: &str, detail: String) -> Failure {
        Failure { place: Place::Body { pointer: pointer.into() }, detail }
    }

    /// The credentials of security scheme `name`.
    pub(crate) fn scheme(name: &str, detail: String) -> Failure {
        Failure { place: Place::Scheme { name: name.into() }, detail }
    }

    fn to_json(&self) -> Value {
        let mut entry = match &self.place {
            Place::Param { location, name, pointer } => {
                let mut entry = json!({ "in": location.as_str(), "name": name });
                if !pointer.is_empty() {
                    entry["pointer"] = json!(format!("#{pointer}"));
                }
                entry
            }
            Place::Body { pointer } => json!({ "in": "body", "pointer": format!("#{pointer}") }),
            Place::Scheme { name } => json!({ "scheme": name }),
        };
        entry["detail"] = json!(self.detail);
        entry
    }

    /// One line: `query parameter `limit`: the value is …`.
    fn line(&self) -> String {
        let place = match &self.place {
            Place::Param { location, name, pointer } if pointer.is_empty() => {
                format!("{} parameter `{name}`", location.as_str())
            }
            Place::Param { location, name, pointer } => {
                format!("{} parameter `{name}` at #{pointer}", location.as_str())
            }
            Place::Body { pointer } if pointer.is_empty() => "body".to_string(),
            Place::Body { pointer } => format!("body at #{pointer}"),
            Place::Scheme { name } => format!("security scheme `{name}`"),
        };
        format!("{place}: {}", self.detail)
    }
}

/// The problem document for `status`, `title` its reason, listing `failures`.
pub(crate) fn problem(status: u16, title: &str, failures: &[Failure]) -> Bytes {
    let detail = failures.iter().map(Failure::line).collect::<Vec<_>>().join("; ");
    let body = json!({
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": failures.iter().map(Failure::to_json).collect::<Vec<_>>(),
    });
    Bytes::from(body.to_string())
}

/// A problem document with a sentence and no list (404, 405, 415, 413).
pub(crate) fn plain(status: u16, title: &str, detail: &str) -> Bytes {
    Bytes::from(
        json!({ "type": "about:blank", "title": title, "status": status, "detail": detail }).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_is_listed_and_summed_up() {
        let failures = [
            Failure::param(
                Location::Query,
                "limit",
                "",
                "the value is greater than the maximum of 100".into(),
            ),
            Failure::param(Location::Query, "filter", "/a", "the value is not of type \"integer\"".into()),
            Failure::body("/amount", "the value is less than the minimum of 1".into()),
        ];
        let body: Value = serde_json::from_slice(&problem(400, "Bad Request", &failures)).unwrap();
        assert_eq!(
            body,
            json!({
                "type": "about:blank",
                "title": "Bad Request",
                "status": 400,
                "detail": "query parameter `limit`: the value is greater than the maximum of 100; query parameter `filter` at #/a: the value is not of type \"integer\"; body at #/amount: the value is less than the minimum of 1",
                "errors": [
                    {"in": "query", "name": "limit", "detail": "the value is greater than the maximum of 100"},
                    {"in": "query", "name": "filter", "pointer": "#/a", "detail": "the value is not of type \"integer\""},
                    {"in": "body", "pointer": "#/amount", "detail": "the value is less than the minimum of 1"}
                ]
            })
        );
    }
}
