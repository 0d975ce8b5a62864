//! [`WebhookError`]: which check refused a webhook.

/// Why a webhook was refused. No text of it holds a secret, a received signature or
/// any of the body: a refusal can be logged as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A header the scheme needs is absent.
    #[error("the webhook has no `{0}` header")]
    MissingHeader(String),
    /// A header is there but is not what the scheme writes.
    #[error("the webhook's `{header}` header is malformed: {reason}")]
    MalformedHeader {
        /// The header's name.
        header: String,
        /// What is wrong with it, in the scheme's terms.
        reason: &'static str,
    },
    /// No signature the request carries was made with any of the secrets.
    #[error(
        "no signature in the webhook's `{header}` header matches the body and any of the {secrets} secret(s)"
    )]
    SignatureMismatch {
        /// The header the signatures came in.
        header: String,
        /// How many secrets were tried.
        secrets: usize,
    },
    /// The timestamp is further from now than the tolerance allows: a replay, or a
    /// clock far off.
    #[error(
        "the webhook was signed {age_secs} s ago (negative: in the future), outside the tolerance of {tolerance_secs} s"
    )]
    Timestamp {
        /// Seconds between the signature's timestamp and now.
        age_secs: i64,
        /// The tolerance, in seconds.
        tolerance_secs: u64,
    },
    /// The signature is right but the body is not the event it says it is.
    #[error("the body of the `{webhook}` webhook does not decode: {reason}")]
    Decode {
        /// The webhook's name in the document (`other` for an event the document does not list).
        webhook: &'static str,
        /// Where and how decoding failed (the field's path), never the value.
        reason: String,
    },
    /// A secret (or key) given to [`Webhooks`](super::Webhooks) cannot be used with its scheme.
    #[error("secret #{index} cannot be used: {reason}")]
    Secret {
        /// Its position: 0 for the one given to `new`, then each `with_secret` in turn.
        index: usize,
        /// Why, without the secret.
        reason: &'static str,
    },
    /// Nothing to verify with: the document declares no signature scheme, or no secret
    /// was given, or the only keys verify and cannot sign.
    #[error("{0}")]
    Unusable(&'static str),
}
