//! What a success answer holds besides a body read whole: a stream of typed items
//! (server-sent events, NDJSON, JSON text sequences), and the headers it documents.

use openapiv3::{MediaType, ParameterSchemaOrContent, Response as OaResponse};

use super::Lowerer;
use crate::diagnostics::Pointer;
use crate::media;
use crate::model::{BodyEncoding, Framing, ItemStream, Operation, ResponseHeader, Switch, TypeKind, TypeRef};
use crate::naming::{self, Namespace};

/// The sentinel recognised where a spec's text documents it (OpenAI: "terminated by a
/// `data: [DONE]` message").
const DONE: &str = "[DONE]";

/// Getter names a headers type cannot take: the methods of the `HeaderMap` it derefs to,
/// and of the runtime's `Headers`.
const HEADER_MAP_METHODS: &[&str] = &[
    "get",
    "get_all",
    "len",
    "is_empty",
    "keys",
    "values",
    "iter",
    "contains_key",
    "entry",
    "map",
    "from_map",
];

impl<'a> Lowerer<'a> {
    /// The stream the success `response` of `op` answers with, if one of its media types
    /// is a stream: its item is the media type's `schema` (OpenAPI 3.2's `itemSchema`,
    /// which the loader renames), one event's `data` or one line.
    pub(super) fn item_stream(
        &mut self,
        op: &Operation,
        response: &'a OaResponse,
        at: &Pointer,
    ) -> Option<ItemStream> {
        let (media, content, framing) = response
            .content
            .iter()
            .find_map(|(media, content)| Some((media, content, media::stream_framing(media)?)))?;
        let at = at.join("content").join(media);
        let kind = if framing == Framing::Events { "Event" } else { "Item" };
        let name = format!("{}{kind}", naming::pascal(&op.name));
        let item = match &content.schema {
            Some(schema) => self.lower_schema(schema.into(), &at.join("schema"), &[name]).ty,
            None => TypeRef::Json,
        };
        let texts = [Some(response.description.as_str()), op.doc.as_deref()];
        let sentinel = self.sentinel(content, &at, texts.into_iter().flatten());
        Some(ItemStream { framing, media: media::essence(media), item, sentinel, only: false, switch: None })
    }

    /// The sentinel `x-authgen-sentinel` names, or `[DONE]` where one of `texts` names it.
    fn sentinel<'t>(
        &mut self,
        content: &MediaType,
        at: &Pointer,
        mut texts: impl Iterator<Item = &'t str>,
    ) -> Option<String> {
        match content.extensions.get("x-authgen-sentinel") {
            Some(serde_json::Value::String(sentinel)) => Some(sentinel.clone()),
            Some(_) => {
                self.problems.push(
                    &at.join("x-authgen-sentinel"),
                    "`x-authgen-sentinel` is not a string",
                    "write the `data` that ends the stream, e.g. `x-authgen-sentinel: \"[DONE]\"`",
                );
                None
            }
            None => texts.any(|text| text.contains(DONE)).then(|| DONE.to_string()),
        }
    }

    /// Decides what the whole operation says of its stream: whether it is the only
    /// success, and which body field asks for it.
    pub(super) fn settle_stream(&self, op: &mut Operation) {
        let only = op.success.iter().all(|response| response.body.is_none());
        let switch = self.stream_switch(op);
        let Some(stream) = &mut op.stream else { return };
        stream.only = only;
        stream.switch = switch.map(|(switch, doc)| {
            if stream.sentinel.is_none() && doc.is_some_and(|doc| doc.contains(DONE)) {
                stream.sentinel = Some(DONE.to_string());
            }
            switch
        });
    }

    /// The boolean `stream` field of the JSON body, and its doc, if there is one.
    fn stream_switch(&self, op: &Operation) -> Option<(Switch, Option<&str>)> {
        let body = op.body.as_ref().filter(|body| body.encoding == BodyEncoding::Json)?;
        let TypeRef::Named(id) = body.ty else { return None };
        let TypeKind::Struct(fields) = &self.types.get(id.0)?.kind else {
            return None;
        };
        let field = fields.iter().find(|f| f.wire == "stream" && f.ty == TypeRef::Bool)?;
        let switch =
            Switch { field: field.name.clone(), optional: field.optional(), body_optional: !body.required };
        Some((switch, field.doc.as_deref()))
    }

    /// The headers the success `response` documents, added to those of `op` (a name
    /// documented by several successes once). `Content-Type` is the body's business.
    pub(super) fn response_headers(&mut self, op: &mut Operation, response: &'a OaResponse, at: &Pointer) {
        for (wire, header) in &response.headers {
            let known = op.headers.iter().any(|h| h.wire.eq_ignore_ascii_case(wire));
            if known || wire.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let at = at.join("headers").join(wire);
            let Some((header, _)) = self.resolve(header, "headers", &at, |c| &c.headers) else { continue };
            let ty = match &header.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    let names = [format!("{}{}Header", naming::pascal(&op.name), naming::pascal(wire))];
                    self.lower_schema(schema.into(), &at.join("schema"), &names).ty
                }
                ParameterSchemaOrContent::Content(_) => TypeRef::String,
            };
            let ty = if self.scalar(&ty) { ty } else { TypeRef::String };
            op.headers.push(ResponseHeader {
                name: String::new(),
                wire: wire.clone(),
                ty,
                doc: header.description.clone(),
            });
        }
    }

    /// Names the getters of `op`'s headers and their type, if it has any.
    pub(super) fn name_headers(&mut self, op: &mut Operation) {
        if op.headers.is_empty() {
            return;
        }
        let mut names = Namespace::with_reserved(HEADER_MAP_METHODS);
        for header in &mut op.headers {
            header.name = names.claim(naming::snake(&header.wire));
        }
        op.headers_type = Some(self.type_names.claim(format!("{}Headers", naming::pascal(&op.name))));
    }

    /// Whether a header's value reads as `ty` from its text: a scalar or a string enum.
    fn scalar(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Vec(_) | TypeRef::Map(_) | TypeRef::Json | TypeRef::Binary => false,
            TypeRef::Named(id) => self.types.get(id.0).is_some_and(|t| matches!(t.kind, TypeKind::Enum(_))),
            _ => true,
        }
    }
}
