//! The document's webhooks, sent: a body from the webhook's example (else built from
//! its schema), signed by the scheme the document declares (as the generator lowers
//! it), to a URL the user gives.

use std::path::{Path, PathBuf};

use authgen_codegen::model::{self, HmacAlgorithm, HmacEncoding, WebhookSignature};
use authgen_runtime::webhook::{Algorithm, Encoding, HmacScheme, Scheme, Webhooks};
use bytes::Bytes;
use serde_json::Value;

use crate::answer::{Media, Payload};
use crate::example::Generator;
use crate::spec::{Api, LoadError};

/// A webhook of the document, built and signed, ready to send.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Its name in the document.
    pub name: String,
    /// `POST`, as the document has it.
    pub method: String,
    /// `Content-Type` and the scheme's signature headers.
    pub headers: Vec<(String, String)>,
    /// The body, exactly as signed.
    pub body: Bytes,
    /// False when the document declares no signature scheme: then it goes unsigned.
    pub signed: bool,
}

/// Why a webhook was not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The document cannot be read, or its webhooks not lowered.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// It has no webhook of that name.
    #[error("{file} has no webhook `{name}`; it has: {known}")]
    Unknown {
        /// The spec file.
        file: String,
        /// The name asked for.
        name: String,
        /// The names it has, comma-separated.
        known: String,
    },
    /// The secret does not suit the scheme (a `whsec_` that is not base64, a public key).
    #[error("cannot sign the webhook: {0}")]
    Sign(#[from] authgen_runtime::webhook::WebhookError),
    /// The request did not reach the URL.
    #[error("cannot send the webhook to {url}: {reason}")]
    Send {
        /// Where it went.
        url: String,
        /// What the transport said.
        reason: String,
    },
}

impl Webhook {
    /// The webhook `name` of the document at `spec` (with the overlay beside it and
    /// `overlays`), signed with `secret`.
    pub fn from_spec(
        spec: &Path,
        overlays: &[PathBuf],
        name: &str,
        secret: &str,
    ) -> Result<Webhook, WebhookError> {
        build(&Api::load(spec, overlays, false)?, name, secret)
    }

    /// Sends it to `url`; the status it was answered.
    pub async fn send(&self, url: &str) -> Result<u16, WebhookError> {
        let failed =
            |error: reqwest::Error| WebhookError::Send { url: url.into(), reason: error.to_string() };
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut request = reqwest::Client::new().request(method, url).body(self.body.clone());
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        Ok(request.send().await.map_err(failed)?.status().as_u16())
    }
}

/// The webhook `name` of `api`, signed with `secret`.
pub(crate) fn build(api: &Api, name: &str, secret: &str) -> Result<Webhook, WebhookError> {
    let lowered = &api.model;
    let Some(webhook) = lowered.webhooks.iter().find(|w| w.name == name) else {
        let known: Vec<&str> = lowered.webhooks.iter().map(|w| w.name.as_str()).collect();
        let known = if known.is_empty() { "none".into() } else { known.join(", ") };
        return Err(WebhookError::Unknown { file: api.file.clone(), name: name.into(), known });
    };
    let method = webhook.method.as_str().to_string();
    let (content_type, body) = body(api, webhook);
    let mut headers = vec![("content-type".to_string(), content_type)];
    let signed = match &lowered.webhook_signature {
        Some(signature) => {
            let signed = Webhooks::<Value>::new(secret).scheme(scheme(signature)).sign(body.to_vec())?;
            let text = |value: &reqwest::header::HeaderValue| value.to_str().unwrap_or_default().to_string();
            headers.extend(signed.headers.iter().map(|(name, value)| (name.to_string(), text(value))));
            true
        }
        None => false,
    };
    Ok(Webhook { name: name.into(), method, headers, body, signed })
}

/// The content type and body of a webhook's body: its JSON media type's example, else
/// one built from its schema; `{}` when it documents none.
fn body(api: &Api, webhook: &model::Webhook) -> (String, Bytes) {
    let empty = || ("application/json".to_string(), Bytes::from_static(b"{}"));
    let sent = &webhook.sent;
    let Some(media) = sent.iter().find(|m| authgen_codegen::media::is_json(&m.media)).or(sent.first()) else {
        return empty();
    };
    let mut generator = Generator::new(&api.doc, &api.schemas);
    match Media::of(media, &mut generator, &mut Vec::new()) {
        Some(Media { content_type, body: Payload::Whole(body), .. }) => {
            (content_type.to_str().unwrap_or(&media.media).to_string(), body)
        }
        _ => empty(),
    }
}

/// The runtime's scheme for what the generator lowered.
fn scheme(signature: &WebhookSignature) -> Scheme {
    match signature {
        WebhookSignature::StandardWebhooks => Scheme::StandardWebhooks,
        WebhookSignature::Stripe => Scheme::Stripe,
        WebhookSignature::Github => Scheme::GitHub,
        WebhookSignature::Slack => Scheme::Slack,
        WebhookSignature::Hmac(hmac) => {
            let algorithm = match hmac.algorithm {
                HmacAlgorithm::Sha1 => Algorithm::Sha1,
                HmacAlgorithm::Sha256 => Algorithm::Sha256,
                HmacAlgorithm::Sha512 => Algorithm::Sha512,
            };
            let encoding = match hmac.encoding {
                HmacEncoding::Hex => Encoding::Hex,
                HmacEncoding::Base64 => Encoding::Base64,
            };
            let scheme = HmacScheme::new(hmac.header.clone())
                .algorithm(algorithm)
                .encoding(encoding)
                .prefix(hmac.prefix.clone())
                .signed(hmac.signed.clone());
            Scheme::Hmac(match &hmac.timestamp_header {
                Some(header) => scheme.timestamp_header(header.clone()),
                None => scheme,
            })
        }
    }
}
