//! Parameters: read from the path, query, headers and cookies by their `style` and
//! `explode`, typed by their schema, and checked against it.

use std::borrow::Cow;

use authgen_codegen::model::{self, ParamStyle};
use hyper::HeaderMap;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::doc;
use crate::problem::Failure;
use crate::schema::{Check, Direction, Schemas};
use crate::values;

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    /// The model's location.
    pub(crate) fn of(location: authgen_codegen::model::ParamLocation) -> Location {
        use authgen_codegen::model::ParamLocation;
        match location {
            ParamLocation::Path => Location::Path,
            ParamLocation::Query => Location::Query,
            ParamLocation::Header => Location::Header,
            ParamLocation::Cookie => Location::Cookie,
        }
    }

    /// As OpenAPI's `in` writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// What the schema makes of a value's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Scalar,
    List,
    Object,
}

/// One parameter of an operation, as the generated client sends it.
pub(crate) struct Param {
    pub name: String,
    pub location: Location,
    required: bool,
    style: ParamStyle,
    explode: bool,
    /// What the client joins an unexploded query list with, as the model says (`,`, ` `,
    /// `|`, or a tab where the document asks for one).
    delimiter: Option<String>,
    shape: Shape,
    schema: Option<Value>,
    check: Check,
    /// The one value the client always sends (a fixed query parameter).
    only: Option<String>,
}

/// What a request carries, read once for all its parameters.
pub(crate) struct Sent<'r> {
    /// Path parameters' raw (percent-encoded) text.
    pub path: &'r [(&'r str, &'r str)],
    pub query: Vec<(Cow<'r, str>, Cow<'r, str>)>,
    pub headers: &'r HeaderMap,
    pub cookies: Vec<(&'r str, Cow<'r, str>)>,
}

impl<'r> Sent<'r> {
    pub(crate) fn new(
        path: &'r [(&'r str, &'r str)],
        query: Option<&'r str>,
        headers: &'r HeaderMap,
    ) -> Self {
        let query = form_urlencoded::parse(query.unwrap_or_default().as_bytes()).collect();
        let cookies = headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .map(|(name, value)| (name, percent_decode_str(value).decode_utf8_lossy()))
            .collect();
        Sent { path, query, headers, cookies }
    }

    /// The values of query parameter `name`.
    pub(crate) fn query_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> {
        self.query.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_ref())
    }

    /// The value of cookie `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_ref())
    }

    /// The value of header `name`, several joined by commas.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        (!values.is_empty()).then(|| values.join(","))
    }
}

impl Param {
    /// The model's parameter, its schema read at the pointer the model gives.
    pub(crate) fn of(doc: &Value, param: &model::Param) -> Param {
        let (schema, at) = doc::schema_at(doc, param.schema.as_deref()).unzip();
        let kinds = schema.map(|s| doc::types(doc, s)).unwrap_or_default();
        let shape = if kinds.is_empty() || kinds.contains(&"string") {
            Shape::Scalar
        } else if kinds.contains(&"array") {
            Shape::List
        } else if kinds.contains(&"object") {
            Shape::Object
        } else {
            Shape::Scalar
        };
        Param {
            name: param.wire.clone(),
            location: Location::of(param.location),
            required: param.required,
            style: param.style,
            explode: param.explode,
            delimiter: param.delimiter.clone(),
            shape,
            schema: schema.cloned(),
            check: Check::new(at, Direction::Request),
            only: None,
        }
    }

    /// A query parameter the client sends with every call, always `value`.
    pub(crate) fn fixed(name: &str, value: &str) -> Param {
        Param {
            name: name.to_string(),
            location: Location::Query,
            required: true,
            style: ParamStyle::Form,
            explode: true,
            delimiter: None,
            shape: Shape::Scalar,
            schema: None,
            check: Check::new(None, Direction::Request),
            only: Some(value.to_string()),
        }
    }

    /// What is wrong with this parameter in `sent`.
    pub(crate) fn failures(&self, doc: &Value, schemas: &Schemas, sent: &Sent) -> Vec<Failure> {
        let Some(raw) = self.raw(doc, sent) else {
            return match self.required {
                true => vec![Failure::param(self.location, &self.name, "", "required but not sent".into())],
                false => Vec::new(),
            };
        };
        if let Some(only) = self.only.as_deref().filter(|only| raw.as_str() != Some(only)) {
            let detail = format!("is not `{only}`, the one value the document allows");
            return vec![Failure::param(self.location, &self.name, "", detail)];
        }
        let value = values::typed(doc, self.schema.as_ref(), raw);
        self.check
            .failures(schemas, &value)
            .into_iter()
            .map(|(pointer, detail)| Failure::param(self.location, &self.name, &pointer, detail))
            .collect()
    }

    /// The parameter's text in `sent`, split as its style says: strings, lists of
    /// strings or objects of strings.
    fn raw(&self, doc: &Value, sent: &Sent) -> Option<Value> {
        match self.location {
            Location::Path => {
                let text = sent.path.iter().find(|(n, _)| *n == self.name)?.1;
                Some(self.path_value(text))
            }
            Location::Query => self.query_value(doc, sent),
            Location::Header => Some(self.split(&sent.header(&self.name)?, ",", false)),
            Location::Cookie => Some(self.split(sent.cookie(&self.name)?, ",", false)),
        }
    }

    fn path_value(&self, text: &str) -> Value {
        let prefix = format!(";{}=", self.name);
        match self.style {
            ParamStyle::Label => {
                let text = text.strip_prefix('.').unwrap_or(text);
                self.split(text, if self.explode { "." } else { "," }, true)
            }
            ParamStyle::Matrix if self.explode && self.shape != Shape::Scalar => {
                let pieces = text.split(';').filter(|p| !p.is_empty());
                match self.shape {
                    Shape::List => Value::Array(
                        pieces
                            .filter_map(|p| p.strip_prefix(&prefix[1..]))
                            .map(|v| decoded(v, true))
                            .collect(),
                    ),
                    _ => pairs(pieces.filter_map(|p| p.split_once('=')), true),
                }
            }
            ParamStyle::Matrix => self.split(text.strip_prefix(prefix.as_str()).unwrap_or(text), ",", true),
            _ => self.split(text, ",", true),
        }
    }

    fn query_value(&self, doc: &Value, sent: &Sent) -> Option<Value> {
        let mut values = sent.query_values(&self.name).peekable();
        match (self.style, self.shape) {
            (ParamStyle::DeepObject, _) => {
                let prefix = format!("{}[", self.name);
                let nested = sent.query.iter().filter(|(k, _)| k.starts_with(&prefix));
                let tree = values::tree(nested.map(|(k, v)| (k.as_ref(), v.as_ref())));
                tree.get(&self.name).cloned().or_else(|| values.next().map(|v| Value::String(v.into())))
            }
            (ParamStyle::Form, Shape::Object) if self.explode => {
                let schema = self.schema.as_ref()?;
                let own = sent.query.iter().filter(|(k, _)| doc::property(doc, schema, k).is_some());
                let map: Map<String, Value> =
                    own.map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect();
                (!map.is_empty()).then_some(Value::Object(map))
            }
            (_, Shape::List) if self.explode => {
                values.peek()?;
                Some(Value::Array(values.map(|v| Value::String(v.into())).collect()))
            }
            _ => Some(self.split(values.next()?, self.delimiter.as_deref().unwrap_or(","), false)),
        }
    }

    /// `text` as the shape wants it: whole, a list split at `separator`, or an object
    /// of `k,v,k,v` (or `k=v` pieces when exploded); pieces percent-decoded if `decode`.
    fn split(&self, text: &str, separator: &str, decode: bool) -> Value {
        match self.shape {
            Shape::Scalar => decoded(text, decode),
            Shape::List => Value::Array(text.split(separator).map(|p| decoded(p, decode)).collect()),
            Shape::Object if self.explode => {
                pairs(text.split(separator).filter_map(|p| p.split_once('=')), decode)
            }
            Shape::Object => {
                let pieces: Vec<&str> = text.split(separator).collect();
                pairs(pieces.chunks(2).filter_map(|c| Some((c[0], *c.get(1)?))), decode)
            }
        }
    }
}

fn decoded(text: &str, decode: bool) -> Value {
    match decode {
        true => Value::String(percent_decode_str(text).decode_utf8_lossy().into_owned()),
        false => Value::String(text.to_string()),
    }
}

fn pairs<'t>(pairs: impl Iterator<Item = (&'t str, &'t str)>, decode: bool) -> Value {
    Value::Object(pairs.map(|(k, v)| (k.to_string(), decoded(v, decode))).collect())
}
