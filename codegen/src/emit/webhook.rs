//! Webhooks -> the `WebhookEvent` enum, what tells its variants apart, the scheme the
//! document declares, and `Webhooks`; verifying is the runtime's (`webhook`).

use proc_macro2::TokenStream;
use quote::quote;

use super::doc;
use super::types::{ident, rust_type};
use crate::model::{Api, HmacAlgorithm, HmacEncoding, HmacSignature, TypeRef, Webhook, WebhookSignature};

/// The runtime module generated code names the webhook items by.
fn runtime() -> TokenStream {
    quote!(__rt::webhook)
}

/// The items of a document with webhooks; nothing for one without.
pub fn webhook_items(api: &Api) -> TokenStream {
    if api.webhooks.is_empty() {
        return TokenStream::new();
    }
    let webhooks = variants(api);
    let enum_def = event_enum(api, &webhooks);
    let event_impl = event_impl(api, &webhooks);
    let alias_doc = doc::outer(Some(&alias_doc(api)));
    quote! {
        #enum_def
        #event_impl
        #alias_doc
        pub type Webhooks = __rt::webhook::Webhooks<WebhookEvent>;
    }
}

/// One webhook per variant: the first method of each name. A body of bytes
/// (`application/octet-stream`) is not JSON to decode: such a webhook has no variant.
fn variants(api: &Api) -> Vec<&Webhook> {
    let mut seen = std::collections::HashSet::new();
    let decodable = |webhook: &&Webhook| webhook.payload != Some(TypeRef::Binary);
    api.webhooks.iter().filter(decodable).filter(|webhook| seen.insert(&webhook.variant)).collect()
}

fn event_enum(api: &Api, webhooks: &[&Webhook]) -> TokenStream {
    let variants = webhooks.iter().map(|webhook| {
        let summary = webhook
            .doc
            .as_deref()
            .and_then(|d| d.lines().next())
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let docs = doc::outer(Some(&format!("`{}`{summary}", webhook.name)));
        let variant = ident(&webhook.variant);
        let payload = payload(api, webhook);
        quote!(#docs #variant(#payload),)
    });
    quote! {
        /// An event this API sends (one of its webhooks), as [`Webhooks::verify`] decodes it.
        #[derive(Debug, Clone, PartialEq)]
        pub enum WebhookEvent {
            #(#variants)*
            /// An event the document does not list, kept as it came.
            Other(__rt::Json),
        }
    }
}

fn payload(api: &Api, webhook: &Webhook) -> TokenStream {
    match &webhook.payload {
        Some(ty) => rust_type(ty, &api.types),
        None => quote!(__rt::Json),
    }
}

fn event_impl(api: &Api, webhooks: &[&Webhook]) -> TokenStream {
    let runtime = runtime();
    let routes = webhooks.iter().map(|webhook| {
        let name = &webhook.name;
        let tag = match &webhook.tag {
            Some(tag) => {
                let (property, value) = (&tag.property, &tag.value);
                quote!(Some(#runtime::Tag { property: #property, value: #value }))
            }
            None => quote!(None),
        };
        quote!(#runtime::Route { webhook: #name, tag: #tag },)
    });
    let arms = webhooks.iter().map(|webhook| {
        let (name, variant) = (&webhook.name, ident(&webhook.variant));
        quote!(#name => Self::#variant(decode_as(#name, body)?),)
    });
    let scheme = match &api.webhook_signature {
        Some(signature) => {
            let scheme = scheme(signature);
            quote!(Some(#runtime::Scheme::#scheme))
        }
        None => quote!(None),
    };
    quote! {
        impl #runtime::Event for WebhookEvent {
            const ROUTES: &'static [#runtime::Route] = &[#(#routes)*];

            fn scheme() -> Option<#runtime::Scheme> {
                #scheme
            }

            fn decode(webhook: &str, body: &[u8]) -> Result<Self, #runtime::WebhookError> {
                use #runtime::{OTHER, decode_as};
                Ok(match webhook {
                    #(#arms)*
                    _ => Self::Other(decode_as(OTHER, body)?),
                })
            }
        }
    }
}

/// The runtime's `Scheme` variant for `signature`, after `Scheme::`.
fn scheme(signature: &WebhookSignature) -> TokenStream {
    match signature {
        WebhookSignature::StandardWebhooks => quote!(StandardWebhooks),
        WebhookSignature::Stripe => quote!(Stripe),
        WebhookSignature::Github => quote!(GitHub),
        WebhookSignature::Slack => quote!(Slack),
        WebhookSignature::Hmac(hmac) => {
            let runtime = runtime();
            let settings = hmac_settings(hmac);
            let header = &hmac.header;
            quote!(Hmac(#runtime::HmacScheme::new(#header) #(#settings)*))
        }
    }
}

/// The setters of an HMAC scheme that differ from `HmacScheme::new`'s defaults.
fn hmac_settings(hmac: &HmacSignature) -> Vec<TokenStream> {
    let runtime = runtime();
    let mut settings = Vec::new();
    match hmac.algorithm {
        HmacAlgorithm::Sha256 => {}
        HmacAlgorithm::Sha1 => settings.push(quote!(.algorithm(#runtime::Algorithm::Sha1))),
        HmacAlgorithm::Sha512 => settings.push(quote!(.algorithm(#runtime::Algorithm::Sha512))),
    }
    if hmac.encoding == HmacEncoding::Base64 {
        settings.push(quote!(.encoding(#runtime::Encoding::Base64)));
    }
    if !hmac.prefix.is_empty() {
        let prefix = &hmac.prefix;
        settings.push(quote!(.prefix(#prefix)));
    }
    if hmac.signed != "{body}" {
        let signed = &hmac.signed;
        settings.push(quote!(.signed(#signed)));
    }
    if let Some(header) = &hmac.timestamp_header {
        settings.push(quote!(.timestamp_header(#header)));
    }
    settings
}

fn alias_doc(api: &Api) -> String {
    let scheme = match &api.webhook_signature {
        Some(signature) => format!("Signed by the document's scheme: {}.", scheme_name(signature)),
        None => "The document declares no signature scheme: name one with `Webhooks::scheme`, declare it with `x-authgen-webhooks` in an overlay, or, only behind another check of the sender, use `Webhooks::unsigned()`.".into(),
    };
    format!(
        "Verifies this API's webhooks and decodes each into a `WebhookEvent`: `Webhooks::new(secret).verify(&headers, &body)`.\n\n{scheme}"
    )
}

fn scheme_name(signature: &WebhookSignature) -> String {
    match signature {
        WebhookSignature::StandardWebhooks => "Standard Webhooks".into(),
        WebhookSignature::Stripe => "Stripe's `Stripe-Signature`".into(),
        WebhookSignature::Github => "GitHub's `X-Hub-Signature-256`".into(),
        WebhookSignature::Slack => "Slack's `X-Slack-Signature`".into(),
        WebhookSignature::Hmac(hmac) => format!("an HMAC in `{}`", hmac.header),
    }
}
