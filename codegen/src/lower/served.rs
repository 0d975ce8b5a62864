//! What a server takes and sends, as the document gives it: every media type of a
//! request body, of a response (schema and examples) and of a webhook's body, and every
//! header of a response, with their pointers. The generated client needs none of it;
//! the mock serves it.

use openapiv3::{
    Header, MediaType, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response as OaResponse,
};

use super::Lowerer;
use crate::diagnostics::Pointer;
use crate::media;
use crate::model::{BodyMedia, Served, ServedHeader, ServedMedia};

impl<'a> Lowerer<'a> {
    /// What `response`, defined at `at`, serves. A header whose reference ends at none
    /// is left out: the answer can do without it.
    pub(super) fn served(&self, response: &'a OaResponse, at: &Pointer) -> Served {
        let content = at.join("content");
        let headers = response.headers.iter().filter(|(wire, _)| !wire.eq_ignore_ascii_case("content-type"));
        Served {
            pointer: at.to_string(),
            content: response
                .content
                .iter()
                .map(|(media, m)| self.served_media(media, m, &content))
                .collect(),
            headers: headers
                .filter_map(|(wire, h)| self.served_header(wire, h, &at.join("headers")))
                .collect(),
        }
    }

    /// Every media type of the request body `body` (at `at`); none where its reference
    /// ends at no body.
    pub(super) fn sent_body(&self, body: &'a ReferenceOr<RequestBody>, at: &Pointer) -> Vec<ServedMedia> {
        let Ok((body, at)) = self.follow_component(body, "requestBodies", at, |c| &c.request_bodies) else {
            return Vec::new();
        };
        let content = at.join("content");
        body.content.iter().map(|(media, m)| self.served_media(media, m, &content)).collect()
    }

    fn served_media(&self, media: &str, object: &'a MediaType, content: &Pointer) -> ServedMedia {
        let at = content.join(media);
        let examples = object.examples.iter();
        ServedMedia {
            media: media.to_string(),
            schema: object.schema.as_ref().map(|_| at.join("schema").to_string()),
            example: object.example.clone(),
            examples: examples
                .filter_map(|(name, e)| Some((name.clone(), self.example_value(e)?.clone())))
                .collect(),
            pointer: at.to_string(),
        }
    }

    fn served_header(
        &self,
        wire: &str,
        header: &'a ReferenceOr<Header>,
        headers: &Pointer,
    ) -> Option<ServedHeader> {
        let (header, at) =
            self.follow_component(header, "headers", &headers.join(wire), |c| &c.headers).ok()?;
        let schema = match &header.format {
            ParameterSchemaOrContent::Schema(_) => Some(at.join("schema").to_string()),
            ParameterSchemaOrContent::Content(_) => None,
        };
        Some(ServedHeader { wire: wire.to_string(), example: header.example.clone(), schema })
    }
}

/// Every media type of a request body's `content` (at `at`), with its schema's pointer.
pub(super) fn body_media(content: &openapiv3::Content, at: &Pointer) -> Vec<BodyMedia> {
    let schema = |media: &str, object: &MediaType| {
        object.schema.as_ref().map(|_| at.join(media).join("schema").to_string())
    };
    content
        .iter()
        .map(|(media, object)| BodyMedia { essence: media::essence(media), schema: schema(media, object) })
        .collect()
}
