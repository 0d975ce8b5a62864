//! Answers from the spec, built and serialised once when the document is loaded: per
//! documented status and media type, the media type's `example` (else the first of its
//! `examples`, else a value built from the schema), each kept only if it keeps to the
//! schema; the documented headers; every named example, for `Prefer: example=NAME`.
//! A request then only picks one (by `Prefer` and `Accept`) and clones its bytes.

use std::sync::Arc;

use authgen_codegen::diagnostics::Pointer;
use authgen_codegen::media;
use authgen_codegen::model::{self, Framing, Served, ServedHeader, ServedMedia, Status};
use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue};
use serde_json::Value;

use crate::doc;
use crate::example::Generator;

/// A body: whole, or a stream of items written one after the other (event streams,
/// NDJSON).
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    Whole(Bytes),
    Items(Arc<[Bytes]>),
}

/// One documented media type of an answer.
pub(crate) struct Media {
    pub content_type: HeaderValue,
    essence: String,
    /// How a body of it splits into items, as the generated client reads it.
    stream: Option<Framing>,
    /// A string value is the body's JSON text (a JSON media type whose schema allows no
    /// string): served as the vendor wrote it.
    json_text: bool,
    /// Where its default body came from.
    pub source: Source,
    pub body: Payload,
    named: Vec<(String, Payload)>,
    schema: Option<(Value, Pointer)>,
}

/// Where an answer's default body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The document's example, as written.
    Documented,
    /// Built from the schema.
    Built,
    /// Neither example nor schema: `{}`.
    Neither,
}

/// One documented status.
pub(crate) struct Response {
    code: String,
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub media: Vec<Media>,
}

/// An operation's documented answers.
pub(crate) struct Answers {
    responses: Vec<Response>,
    default: Option<usize>,
}

/// What a request prefers (RFC 7240 `Prefer`, as Prism reads it).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Prefer {
    pub code: Option<u16>,
    pub example: Option<String>,
    pub dynamic: bool,
}

impl Prefer {
    /// The preferences of the `Prefer` header values.
    pub(crate) fn parse<'h>(values: impl Iterator<Item = &'h str>) -> Prefer {
        let mut prefer = Prefer::default();
        for preference in values.flat_map(|v| v.split(',')) {
            let preference = preference.split(';').next().unwrap_or_default();
            let (key, value) = preference.split_once('=').unwrap_or((preference, ""));
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "code" => prefer.code = value.parse().ok(),
                "example" => prefer.example = Some(value.to_string()),
                "dynamic" => prefer.dynamic = value == "true",
                _ => {}
            }
        }
        prefer
    }
}

/// The answer picked for a request.
pub(crate) struct Picked<'a> {
    pub response: &'a Response,
    pub status: StatusCode,
    pub media: Option<&'a Media>,
    /// The preferences honoured, for `Preference-Applied`.
    pub applied: Vec<String>,
}

impl Answers {
    /// The model's answers of `op`, every body built by `generator`; what was not used
    /// (an example that contradicts its schema) is said in `warnings`.
    pub(crate) fn of<'d>(
        op: &'d model::Operation,
        generator: &mut Generator<'d>,
        warnings: &mut Vec<String>,
    ) -> Answers {
        let mut built = Vec::new();
        for response in op.success.iter().chain(&op.errors) {
            let (code, status) = status_of(response.status);
            if status.is_informational() {
                // A 101 answers an upgrade (a WebSocket) the mock cannot carry on.
                warnings.push(format!("{}: informational statuses are not served", response.served.pointer));
                continue;
            }
            built.push(Response::of(code, status, &response.served, generator, warnings));
        }
        let first = |test: &dyn Fn(&str) -> bool| built.iter().position(|r| test(&r.code));
        let default = first(&|c| c.starts_with('2') && c.len() == 3 && c != "2XX")
            .or_else(|| first(&|c| c.eq_ignore_ascii_case("2XX")))
            .or_else(|| first(&|c| c == "default"))
            .or_else(|| (!built.is_empty()).then_some(0));
        Answers { responses: built, default }
    }

    /// Every documented media type of every answer.
    pub(crate) fn media(&self) -> impl Iterator<Item = &Media> {
        self.responses.iter().flat_map(|r| &r.media)
    }

    /// The answer for a request that prefers `prefer` and accepts `accept`.
    pub(crate) fn pick(&self, prefer: &Prefer, accept: Option<&str>) -> Option<Picked<'_>> {
        let mut applied = Vec::new();
        let preferred = prefer.code.and_then(|code| {
            let text = code.to_string();
            let range = format!("{}XX", code / 100);
            let found = self
                .responses
                .iter()
                .find(|r| r.code == text)
                .or_else(|| self.responses.iter().find(|r| r.code.eq_ignore_ascii_case(&range)))
                .or_else(|| self.responses.iter().find(|r| r.code == "default"))?;
            applied.push(format!("code={code}"));
            Some((found, StatusCode::from_u16(code).ok()?))
        });
        let (response, status) = match preferred {
            Some(found) => found,
            None => {
                let response = &self.responses[self.default?];
                (response, response.status)
            }
        };
        let media = response.media_for(accept);
        Some(Picked { response, status, media, applied })
    }
}

/// A status as the document writes it (`200`, `4XX`, `default`) and the status it is
/// served with: a range's first, 200 for `default` (as a success).
fn status_of(status: Status) -> (String, StatusCode) {
    let (code, served) = match status {
        Status::Code(code) => (code.to_string(), code),
        Status::Range(range) => (format!("{range}XX"), range * 100),
        Status::Default => ("default".to_string(), 200),
    };
    (code, StatusCode::from_u16(served).unwrap_or(StatusCode::OK))
}

impl Response {
    fn of<'d>(
        code: String,
        status: StatusCode,
        served: &'d Served,
        generator: &mut Generator<'d>,
        warnings: &mut Vec<String>,
    ) -> Response {
        let headers = served
            .headers
            .iter()
            .filter_map(|header| {
                let value = header_value(generator, header)?;
                Some((HeaderName::try_from(header.wire.as_str()).ok()?, HeaderValue::try_from(value).ok()?))
            })
            .collect();
        let media = served.content.iter().filter_map(|media| Media::of(media, generator, warnings)).collect();
        Response { code, status, headers, media }
    }

    /// The first documented media type `accept` takes (any when it says nothing).
    fn media_for(&self, accept: Option<&str>) -> Option<&Media> {
        let ranges: Vec<String> =
            accept.map(|a| a.split(',').map(media::essence).collect()).unwrap_or_default();
        let takes = |media: &&Media| {
            ranges.iter().any(|r| {
                r == "*/*"
                    || *r == media.essence
                    || r.strip_suffix("/*").is_some_and(|t| media.essence.starts_with(&format!("{t}/")))
            })
        };
        self.media.iter().find(takes).or(self.media.first())
    }
}

/// A documented header's text: its example, else one built from its schema.
fn header_value<'d>(generator: &mut Generator<'d>, header: &'d ServedHeader) -> Option<String> {
    let value = match (&header.example, doc::schema_at(generator.doc(), header.schema.as_deref())) {
        (Some(example), _) => example.clone(),
        (None, Some((schema, at))) => generator.value(schema, &at),
        (None, None) => return None,
    };
    Some(match value {
        Value::String(text) => text,
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), String::from))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    })
}

impl Media {
    /// The model's media type `served`: its body from its example (or first named one),
    /// else built from its schema.
    pub(crate) fn of<'d>(
        served: &'d ServedMedia,
        generator: &mut Generator<'d>,
        warnings: &mut Vec<String>,
    ) -> Option<Media> {
        let (media, at) = (served.media.as_str(), Pointer::parse(&served.pointer)?);
        let essence = media::essence(media);
        let stream = media::stream_framing(&essence);
        let found = doc::schema_at(generator.doc(), served.schema.as_deref());
        let named = &served.examples;
        // A string where the schema wants no string is the body's JSON text, as written.
        let json_text = media::is_json(&essence)
            && found.as_ref().is_some_and(|(s, _)| !doc::types(generator.doc(), s).contains(&"string"));
        let schema = found.as_ref().map(|(s, at)| ((*s).clone(), at.clone()));
        let served_as = |generator: &mut Generator, at: &Pointer, value: &Value| {
            let verdict = |generator: &mut Generator, value: &Value| match generator.client_decodes(at, value)
            {
                Some(decoded) => {
                    decoded.map_err(|refusal| format!("the generated client refuses it ({refusal})"))
                }
                None => keeps(generator, &schema, stream.is_some(), value)
                    .then_some(())
                    .ok_or_else(|| "it does not keep to its schema".to_string()),
            };
            let as_written = verdict(generator, value);
            match json_in(value).filter(|_| json_text) {
                Some(parsed) if as_written.is_err() => verdict(generator, &parsed).or(as_written),
                _ => as_written,
            }
        };
        let mut chosen = None;
        if let Some(example) = &served.example {
            match served_as(generator, &at.join("example"), example) {
                Ok(()) => chosen = Some(example.clone()),
                Err(why) => warnings.push(format!("{at}/example: {why}; not served")),
            }
        }
        if let (None, Some((name, first))) = (&chosen, named.first()) {
            match served_as(generator, &at.join("examples").join(name).join("value"), first) {
                Ok(()) => chosen = Some(first.clone()),
                Err(why) => warnings.push(format!("{at}/examples/{name}: {why}; not served by default")),
            }
        }
        let source = match (&chosen, &schema) {
            (Some(_), _) => Source::Documented,
            (None, Some(_)) => Source::Built,
            (None, None) => Source::Neither,
        };
        let value = match (chosen, &found) {
            (Some(value), _) => value,
            (None, Some((schema, at))) => {
                let value = generator.value(schema, at);
                if let Some(failures) = generator.self_check(at, &value) {
                    warnings.push(format!("{at}: the answer built from the schema breaks it: {failures}"));
                }
                value
            }
            (None, None) => Value::Object(Default::default()),
        };
        let content_type =
            HeaderValue::try_from(if media.contains('*') { "application/octet-stream" } else { media })
                .ok()?;
        let mut media = Media {
            content_type,
            essence,
            stream,
            json_text,
            source,
            body: Payload::Whole(Bytes::new()),
            named: Vec::new(),
            schema,
        };
        media.body = media.encode(&value);
        media.named = named.iter().map(|(name, value)| (name.clone(), media.encode(value))).collect();
        Some(media)
    }

    /// The body of `value` in this media type.
    pub(crate) fn encode(&self, value: &Value) -> Payload {
        let Some(stream) = self.stream else {
            return Payload::Whole(match value {
                Value::String(text) if !media::is_json(&self.essence) => Bytes::from(text.clone()),
                Value::String(text) if self.json_text && json_in(value).is_some() => {
                    Bytes::from(text.clone())
                }
                other => Bytes::from(other.to_string()),
            });
        };
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let mut frames = Vec::new();
        for item in items {
            match (stream, item) {
                (Framing::Events, Value::String(text))
                    if text.contains("data:") || text.contains("event:") =>
                {
                    frames.extend(
                        text.split("\n\n")
                            .filter(|e| !e.trim().is_empty())
                            .map(|e| Bytes::from(format!("{}\n\n", e.trim_end()))),
                    )
                }
                (Framing::Events, Value::String(text)) => {
                    frames.push(Bytes::from(format!("data: {text}\n\n")))
                }
                (Framing::Events, other) => frames.push(Bytes::from(format!("data: {other}\n\n"))),
                (Framing::Lines, other) => frames.push(Bytes::from(format!("{other}\n"))),
                // RFC 7464: a record separator before each JSON text, a line feed after.
                (Framing::Sequence, other) => frames.push(Bytes::from(format!("\u{1e}{other}\n"))),
            }
        }
        Payload::Items(frames.into())
    }

    /// The named example `name`, for `Prefer: example=NAME`.
    pub(crate) fn named(&self, name: &str) -> Option<&Payload> {
        self.named.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// The schema and its place, for a body made up per request.
    pub(crate) fn schema(&self) -> Option<(&Value, &Pointer)> {
        self.schema.as_ref().map(|(s, at)| (s, at))
    }

    /// Whether the body is JSON (which a token answer must be).
    pub(crate) fn is_json(&self) -> bool {
        self.stream.is_none() && media::is_json(&self.essence)
    }
}

/// Whether `value` keeps to `schema` (any value, without one).
/// Whether `value` keeps to `schema` (any value, without one); a stream's list of
/// items keeps to it when each item does.
fn keeps(generator: &mut Generator, schema: &Option<(Value, Pointer)>, stream: bool, value: &Value) -> bool {
    let Some((_, at)) = schema else { return true };
    match (stream, value) {
        (true, Value::Array(items)) => {
            generator.keeps_to(at, value) || items.iter().all(|item| generator.keeps_to(at, item))
        }
        _ => generator.keeps_to(at, value),
    }
}

/// The JSON value `value` holds as text, where it is a string of JSON.
fn json_in(value: &Value) -> Option<Value> {
    serde_json::from_str(value.as_str()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_are_read_from_every_value() {
        let prefer = Prefer::parse(
            ["code=404, example=\"missing\"", "dynamic=true; x=1", "respond-async"].into_iter(),
        );
        assert_eq!(prefer, Prefer { code: Some(404), example: Some("missing".into()), dynamic: true });
    }

    #[test]
    fn ranges_and_default_are_statuses() {
        assert_eq!(status_of(Status::Code(201)), ("201".into(), StatusCode::CREATED));
        assert_eq!(status_of(Status::Range(4)), ("4XX".into(), StatusCode::BAD_REQUEST));
        assert_eq!(status_of(Status::Default), ("default".into(), StatusCode::OK));
    }
}
