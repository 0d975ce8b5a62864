//! What the `WebhookEvent` enum needs beyond the bodies' types: each webhook's variant
//! name and discriminating tag, and the signature scheme the document declares
//! (`x-authgen-webhooks`, Speakeasy's `x-speakeasy-webhooks`) or its webhooks' header
//! parameters show.

use std::collections::HashMap;

use openapiv3::{Parameter, ReferenceOr, RequestBody, Schema, SchemaKind, Type};
use serde_json::Value;

use super::Lowerer;
use crate::diagnostics::Pointer;
use crate::model::{HmacAlgorithm, HmacEncoding, HmacSignature, Webhook, WebhookSignature, WebhookTag};
use crate::naming::{self, Namespace};

/// The extension that declares the scheme.
const EXTENSION: &str = "x-authgen-webhooks";
const HINT: &str = "write `x-authgen-webhooks: {signature: standard-webhooks}` (or `stripe`, `github`, `slack`, or `{hmac: {header: X-Signature, algorithm: sha256, encoding: hex, prefix: \"sha256=\", signed: \"{timestamp}.{body}\", timestamp-header: X-Timestamp}}`)";

/// A header a provider signs in, and the scheme it shows.
const SIGNATURE_HEADERS: &[(&str, WebhookSignature)] = &[
    ("webhook-signature", WebhookSignature::StandardWebhooks),
    ("svix-signature", WebhookSignature::StandardWebhooks),
    ("stripe-signature", WebhookSignature::Stripe),
    ("x-hub-signature-256", WebhookSignature::Github),
    ("x-slack-signature", WebhookSignature::Slack),
];

/// Names the variants (a webhook's methods share one) and keeps only the tags that tell
/// one webhook apart: two webhooks with the same tag are both tried in order instead.
pub(super) fn settle_webhooks(webhooks: &mut [Webhook]) {
    let mut names = Namespace::with_reserved(&["Other"]);
    let mut variants: HashMap<String, String> = HashMap::new();
    for webhook in webhooks.iter_mut() {
        let variant = variants
            .entry(webhook.name.clone())
            .or_insert_with(|| names.claim(naming::pascal(&webhook.name)));
        webhook.variant = variant.clone();
    }
    let mut owners: HashMap<WebhookTag, &str> = HashMap::new();
    let mut shared = Vec::new();
    for webhook in webhooks.iter() {
        let Some(tag) = &webhook.tag else { continue };
        match owners.insert(tag.clone(), &webhook.name) {
            Some(other) if other != webhook.name => shared.push(tag.clone()),
            _ => {}
        }
    }
    for webhook in webhooks.iter_mut() {
        if webhook.tag.as_ref().is_some_and(|tag| shared.contains(tag)) {
            webhook.tag = None;
        }
    }
}

impl<'a> Lowerer<'a> {
    /// The property whose schema allows one value (a `const`, a one-value `enum`) in the
    /// JSON body's schema, its own or an `allOf` member's; else the value a
    /// `discriminator` of an `allOf` parent maps to this schema.
    pub(super) fn webhook_tag(&self, body: &ReferenceOr<RequestBody>) -> Option<WebhookTag> {
        let body = match body {
            ReferenceOr::Item(body) => body,
            ReferenceOr::Reference { reference } => {
                let name = super::refs::component_name(reference, "requestBodies")?;
                self.doc.components.as_ref()?.request_bodies.get(&name)?.as_item()?
            }
        };
        let (_, media) = body.content.iter().find(|(media, _)| media.contains("json"))?;
        self.tag_in(media.schema.as_ref()?, 0)
    }

    fn tag_in(&self, schema: &ReferenceOr<Schema>, depth: usize) -> Option<WebhookTag> {
        let (name, schema) = self.schema_and_name(schema)?;
        let one_value = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                object.properties.iter().find_map(|(property, schema)| {
                    let value = self.one_value(&schema.clone().unbox())?;
                    Some(WebhookTag { property: property.clone(), value })
                })
            }
            _ => None,
        };
        let SchemaKind::AllOf { all_of } = &schema.schema_kind else { return one_value };
        // `allOf` chains are followed a few levels: a cycle there is lowering's to report.
        let members = || all_of.iter().filter(|_| depth < 4);
        one_value
            .or_else(|| members().find_map(|member| self.tag_in(member, depth + 1)))
            .or_else(|| members().find_map(|member| self.mapped(member, name.as_deref()?)))
    }

    /// The value the `discriminator` of `parent` gives the component schema `name`.
    fn mapped(&self, parent: &ReferenceOr<Schema>, name: &str) -> Option<WebhookTag> {
        let discriminator = self.schema_and_name(parent)?.1.schema_data.discriminator.as_ref()?;
        let target = format!("#/components/schemas/{name}");
        let explicit = discriminator.mapping.iter().find(|(_, to)| **to == target || *to == name);
        let value = explicit.map_or(name, |(value, _)| value.as_str());
        Some(WebhookTag { property: discriminator.property_name.clone(), value: value.to_string() })
    }

    /// The schema, and its component name when it is a `#/components/schemas/` one.
    fn schema_and_name<'s>(
        &'s self,
        schema: &'s ReferenceOr<Schema>,
    ) -> Option<(Option<String>, &'s Schema)> {
        match schema {
            ReferenceOr::Item(schema) => Some((None, schema)),
            ReferenceOr::Reference { reference } => {
                let name = super::refs::component_name(reference, "schemas")?;
                let schema = self.doc.components.as_ref()?.schemas.get(&name)?.as_item()?;
                Some((Some(name), schema))
            }
        }
    }

    /// The one string a property's schema allows (`const`, which loading makes a
    /// one-value `enum`).
    fn one_value(&self, schema: &ReferenceOr<Schema>) -> Option<String> {
        let (_, schema) = self.schema_and_name(schema)?;
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => match string.enumeration.as_slice() {
                [Some(value)] => Some(value.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The scheme: declared, else Speakeasy's declaration, else shown by a webhook's
    /// header parameter; problems for a declaration that cannot be read.
    pub(super) fn webhook_signature(&mut self) -> Option<WebhookSignature> {
        let extensions = &self.doc.extensions;
        if let Some(stated) = extensions.get(EXTENSION) {
            return self.stated_signature(stated);
        }
        if let Some(stated) = extensions.get("x-speakeasy-webhooks") {
            return self.speakeasy_signature(stated);
        }
        self.parsed.webhooks.values().filter_map(ReferenceOr::as_item).flat_map(|item| item.iter()).find_map(
            |(_, op)| {
                op.parameters.iter().find_map(|parameter| match self.parameter(parameter)? {
                    Parameter::Header { parameter_data, .. } => signature_header(&parameter_data.name),
                    _ => None,
                })
            },
        )
    }

    fn parameter(&self, parameter: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
        match parameter {
            ReferenceOr::Item(parameter) => Some(parameter),
            ReferenceOr::Reference { reference } => {
                let name = super::refs::component_name(reference, "parameters")?;
                self.doc.components.as_ref()?.parameters.get(&name)?.as_item()
            }
        }
    }

    fn stated_signature(&mut self, stated: &Value) -> Option<WebhookSignature> {
        let at = Pointer::root().join(EXTENSION);
        let Some(signature) = stated.get("signature") else {
            self.problems.push(&at, format!("`{EXTENSION}` has no `signature`"), HINT);
            return None;
        };
        let at = at.join("signature");
        let signature = match serde_json::from_value::<WebhookSignature>(signature.clone()) {
            Ok(signature) => signature,
            Err(error) => {
                self.problems.push(&at, format!("`{EXTENSION}` signature cannot be read: {error}"), HINT);
                return None;
            }
        };
        if let WebhookSignature::Hmac(hmac) = &signature
            && let Some(problem) = template_problem(hmac)
        {
            self.problems.push(&at.join("hmac"), problem, HINT);
            return None;
        }
        Some(signature)
    }

    /// Speakeasy's `security: {type: signature, headerName, signatureTextEncoding,
    /// algorithm: hmac-sha256}`: an HMAC of the body.
    fn speakeasy_signature(&mut self, stated: &Value) -> Option<WebhookSignature> {
        let security = &stated["security"];
        let text = |key: &str| security.get(key).and_then(Value::as_str);
        let algorithm = match text("algorithm") {
            Some("hmac-sha256") | None => Some(HmacAlgorithm::Sha256),
            Some("hmac-sha1") => Some(HmacAlgorithm::Sha1),
            Some("hmac-sha512") => Some(HmacAlgorithm::Sha512),
            Some(_) => None,
        };
        let encoding = match text("signatureTextEncoding") {
            Some("hex") | None => Some(HmacEncoding::Hex),
            Some("base64") => Some(HmacEncoding::Base64),
            Some(_) => None,
        };
        let (Some("signature"), Some(header), Some(algorithm), Some(encoding)) =
            (text("type"), text("headerName"), algorithm, encoding)
        else {
            self.problems.push(
                &Pointer::root().join("x-speakeasy-webhooks").join("security"),
                "`x-speakeasy-webhooks` is not a `type: signature` with `headerName`, an `hmac-sha…` algorithm and a `hex` or `base64` encoding",
                format!("correct it, or declare the scheme in an overlay: {HINT}"),
            );
            return None;
        };
        let hmac = HmacSignature {
            header: header.to_string(),
            algorithm,
            encoding,
            prefix: String::new(),
            signed: "{body}".into(),
            timestamp_header: None,
        };
        Some(WebhookSignature::Hmac(hmac))
    }
}

/// The scheme a webhook's header parameter named `name` shows.
fn signature_header(name: &str) -> Option<WebhookSignature> {
    let lowercase = name.to_ascii_lowercase();
    SIGNATURE_HEADERS.iter().find(|(header, _)| *header == lowercase).map(|(_, scheme)| scheme.clone())
}

/// What is wrong with an HMAC's signed text.
fn template_problem(hmac: &HmacSignature) -> Option<String> {
    if hmac.signed.matches("{body}").count() != 1 {
        return Some(format!("the signed text `{}` does not hold `{{body}}` once", hmac.signed));
    }
    (hmac.signed.contains("{timestamp}") && hmac.timestamp_header.is_none()).then(|| {
        format!("the signed text `{}` holds `{{timestamp}}` but no `timestamp-header` is named", hmac.signed)
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::Api;

    /// The model of a document with one webhook `ping`, `top` added at its top level and
    /// `parameters` under the webhook's operation.
    fn lowered(top: &str, parameters: &str) -> Result<Api, crate::diagnostics::SpecError> {
        let text = format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\n{top}\nwebhooks:\n  ping:\n    post:\n      parameters: {parameters}\n      requestBody:\n        content:\n          application/json:\n            schema: {{type: object, properties: {{zen: {{type: string}}}}}}\n      responses:\n        '200': {{description: ok}}\n"
        );
        crate::model_of(crate::load::load_str(Path::new("t.yaml"), &text)?, &crate::Options::default())
            .map(|(api, _)| api)
    }

    fn signature(top: &str, parameters: &str) -> Option<WebhookSignature> {
        lowered(top, parameters).unwrap_or_else(|e| panic!("{e}")).webhook_signature
    }

    #[test]
    fn a_declared_scheme_is_read_with_every_hmac_setting() {
        assert_eq!(
            signature("x-authgen-webhooks: {signature: stripe}", "[]"),
            Some(WebhookSignature::Stripe)
        );
        let hmac = "x-authgen-webhooks: {signature: {hmac: {header: X-Sig, algorithm: sha512, encoding: base64, prefix: 'v1=', signed: '{timestamp}:{body}', timestamp-header: X-Time}}}";
        let expected = HmacSignature {
            header: "X-Sig".into(),
            algorithm: HmacAlgorithm::Sha512,
            encoding: HmacEncoding::Base64,
            prefix: "v1=".into(),
            signed: "{timestamp}:{body}".into(),
            timestamp_header: Some("X-Time".into()),
        };
        assert_eq!(signature(hmac, "[]"), Some(WebhookSignature::Hmac(expected)));
    }

    #[test]
    fn a_declaration_that_cannot_be_used_is_a_problem_at_its_pointer() {
        let cases = [
            (
                "x-authgen-webhooks: {signature: svix2}",
                "unknown variant `svix2`",
                "/x-authgen-webhooks/signature",
            ),
            ("x-authgen-webhooks: {scheme: stripe}", "has no `signature`", "/x-authgen-webhooks"),
            (
                "x-authgen-webhooks: {signature: {hmac: {header: X, signed: '{timestamp}{body}'}}}",
                "no `timestamp-header`",
                "/x-authgen-webhooks/signature/hmac",
            ),
            (
                "x-authgen-webhooks: {signature: {hmac: {header: X, signed: 'body'}}}",
                "`{body}` once",
                "/hmac",
            ),
            (
                "x-speakeasy-webhooks: {security: {type: bearer}}",
                "`type: signature`",
                "/x-speakeasy-webhooks/security",
            ),
        ];
        for (top, message, pointer) in cases {
            let error = lowered(top, "[]").expect_err(top).to_string();
            assert!(error.contains(message) && error.contains(pointer), "{top}:\n{error}");
        }
    }

    #[test]
    fn without_a_declaration_speakeasys_or_a_signature_header_parameter_selects_the_scheme() {
        let speakeasy = "x-speakeasy-webhooks: {security: {type: signature, headerName: x-signature, signatureTextEncoding: base64, algorithm: hmac-sha256}}";
        let Some(WebhookSignature::Hmac(hmac)) = signature(speakeasy, "[]") else { panic!("an HMAC") };
        assert_eq!((hmac.header.as_str(), hmac.encoding), ("x-signature", HmacEncoding::Base64));
        let header = |name: &str| format!("[{{name: {name}, in: header, schema: {{type: string}}}}]");
        assert_eq!(signature("", &header("Stripe-Signature")), Some(WebhookSignature::Stripe));
        assert_eq!(signature("", &header("X-Slack-Signature")), Some(WebhookSignature::Slack));
        assert_eq!(signature("", &header("svix-signature")), Some(WebhookSignature::StandardWebhooks));
        assert_eq!(signature("", &header("X-Request-Id")), None);
    }

    #[test]
    fn a_3_0_documents_x_webhooks_are_its_webhooks() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-webhooks:\n  order.created:\n    post:\n      parameters: [{name: X-Hub-Signature-256, in: header, schema: {type: string}}]\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {type: {type: string, enum: [order.created]}}}\n      responses:\n        '200': {description: ok}\n";
        let (api, _) = crate::model_of(
            crate::load::load_str(Path::new("t.yaml"), text).unwrap(),
            &crate::Options::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let [webhook] = api.webhooks.as_slice() else { panic!("{:?}", api.webhooks) };
        assert_eq!(
            (webhook.variant.as_str(), api.webhook_signature),
            ("OrderCreated", Some(WebhookSignature::Github))
        );
        assert_eq!(webhook.tag, Some(WebhookTag { property: "type".into(), value: "order.created".into() }));
    }

    #[test]
    fn variants_are_unique_and_a_shared_tag_tells_nothing_apart() {
        let webhook = |name: &str, tag: Option<(&str, &str)>| Webhook {
            name: name.into(),
            method: crate::model::Method::Post,
            pointer: format!("#/webhooks/{name}/post"),
            doc: None,
            payload: None,
            sent: Vec::new(),
            variant: String::new(),
            tag: tag.map(|(property, value)| WebhookTag { property: property.into(), value: value.into() }),
        };
        let mut webhooks = vec![
            webhook("other", Some(("type", "a"))),
            webhook("order.created", Some(("type", "a"))),
            webhook("orderCreated", Some(("type", "b"))),
        ];
        settle_webhooks(&mut webhooks);
        let variants: Vec<&str> = webhooks.iter().map(|w| w.variant.as_str()).collect();
        assert_eq!(variants, ["Other2", "OrderCreated", "OrderCreated2"]);
        let tags: Vec<bool> = webhooks.iter().map(|w| w.tag.is_some()).collect();
        assert_eq!(tags, [false, false, true]);
    }
}
