//! Request bodies: the media type the request says it sends, matched to one the
//! operation takes, then a JSON or form body read and checked against its schema.

use authgen_codegen::{media, model};
use serde_json::Value;

use crate::doc;
use crate::problem::Failure;
use crate::schema::{Check, Direction, Schemas};
use crate::values;

/// How a body of a media type is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `application/json` and every `application/*+json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Anything else: taken as it comes.
    Opaque,
}

struct Media {
    essence: String,
    kind: Kind,
    schema: Option<Value>,
    check: Check,
}

/// An operation's `requestBody`.
pub(crate) struct RequestBody {
    required: bool,
    media: Vec<Media>,
}

/// Why a body is refused: the status (400, 415 or 422) and what is wrong.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: u16,
    pub failures: Vec<Failure>,
}

impl RequestBody {
    /// The model's body: every media type it may be sent in, each schema read at the
    /// pointer the model gives.
    pub(crate) fn of(doc: &Value, body: &model::Body) -> RequestBody {
        let media = body
            .content
            .iter()
            .map(|listed| {
                let kind = match listed.essence.as_str() {
                    m if media::is_json(m) => Kind::Json,
                    "application/x-www-form-urlencoded" => Kind::Form,
                    _ => Kind::Opaque,
                };
                let schema = doc::schema_at(doc, listed.schema.as_deref());
                Media {
                    essence: listed.essence.clone(),
                    kind,
                    check: Check::new(schema.as_ref().map(|(_, at)| at.clone()), Direction::Request),
                    schema: schema.map(|(schema, _)| schema.clone()),
                }
            })
            .collect();
        RequestBody { required: body.required, media }
    }

    /// The body read, as the value its schema describes (`None` when there is none or
    /// it is not JSON or a form), or why it is refused.
    pub(crate) fn read(
        &self,
        doc: &Value,
        schemas: &Schemas,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Option<Value>, Refusal> {
        if body.is_empty() {
            return match self.required {
                true => Err(unprocessable(vec![Failure::body("", "required but not sent".into())])),
                false => Ok(None),
            };
        }
        let Some(media) = self.media_for(content_type) else {
            let taken: Vec<&str> = self.media.iter().map(|m| m.essence.as_str()).collect();
            let sent = content_type.map_or("none".to_string(), |c| format!("`{}`", media::essence(c)));
            let detail =
                format!("the media type {sent} is not one the operation takes ({})", taken.join(", "));
            return Err(Refusal { status: 415, failures: vec![Failure::body("", detail)] });
        };
        let value = match media.kind {
            Kind::Opaque => return Ok(None),
            Kind::Json => serde_json::from_slice(body).map_err(|e| Refusal {
                status: 400,
                failures: vec![Failure::body("", format!("not JSON: {e}"))],
            })?,
            Kind::Form => {
                let pairs = form_urlencoded::parse(body);
                values::typed(doc, media.schema.as_ref(), Value::Object(values::tree(pairs)))
            }
        };
        let failures = media.check.failures(schemas, &value);
        match failures.is_empty() {
            true => Ok(Some(value)),
            false => Err(unprocessable(
                failures.into_iter().map(|(pointer, d)| Failure::body(&pointer, d)).collect(),
            )),
        }
    }

    /// The documented media type `content_type` is: itself, any JSON one for JSON, a
    /// range (`*/*`, `text/*`) that holds it; the only one when the request names none.
    fn media_for(&self, content_type: Option<&str>) -> Option<&Media> {
        let Some(sent) = content_type.map(media::essence) else {
            return if self.media.len() == 1 { self.media.first() } else { None };
        };
        let range = |m: &&Media| {
            m.essence == "*/*"
                || m.essence.strip_suffix("/*").is_some_and(|t| sent.starts_with(&format!("{t}/")))
        };
        self.media
            .iter()
            .find(|m| m.essence == sent)
            .or_else(|| self.media.iter().find(|m| media::is_json(&sent) && m.kind == Kind::Json))
            .or_else(|| self.media.iter().find(range))
    }
}

fn unprocessable(failures: Vec<Failure>) -> Refusal {
    Refusal { status: 422, failures }
}
