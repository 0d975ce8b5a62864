//! The signature schemes, as their providers define them: which headers carry what, and
//! which bytes are signed.

use std::borrow::Cow;

/// How a provider signs its webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// The [Standard Webhooks](https://www.standardwebhooks.com/) specification (Svix and
    /// others): `webhook-id`, `webhook-timestamp` and `webhook-signature` headers (the
    /// `svix-` names too), signed content `{id}.{timestamp}.{body}`; `v1,` entries are
    /// HMAC-SHA256 with a `whsec_` base64 secret, `v1a,` entries Ed25519 with a `whpk_`
    /// public key (a `whsk_` secret key signs). The timestamp is refused either way
    /// outside the tolerance.
    StandardWebhooks,
    /// Stripe: `Stripe-Signature: t={timestamp},v1={hex},…`, HMAC-SHA256 of
    /// `{timestamp}.{body}` keyed by the whole `whsec_…` text; a timestamp older than the
    /// tolerance is refused (Stripe does not refuse one ahead).
    Stripe,
    /// GitHub: `X-Hub-Signature-256: sha256={hex}`, HMAC-SHA256 of the body. GitHub
    /// signs no timestamp, so there is no replay window: use `X-GitHub-Delivery` to
    /// refuse a delivery seen before.
    GitHub,
    /// Slack: `X-Slack-Signature: v0={hex}`, HMAC-SHA256 of `v0:{timestamp}:{body}` with
    /// `X-Slack-Request-Timestamp`; refused either way outside the tolerance, as Slack's
    /// documentation asks.
    Slack,
    /// Any other HMAC: the header, algorithm, encoding, prefix and signed text declared.
    Hmac(HmacScheme),
}

/// A hash for [`HmacScheme`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-SHA1: only for providers that still sign with it.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// How a signature is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Lowercase or uppercase hexadecimal.
    Hex,
    /// Standard base64, padded.
    Base64,
}

/// A provider's own HMAC scheme. `HmacScheme::new("X-Signature")` is HMAC-SHA256 of the
/// body, in hex, with no prefix and no timestamp; each setter changes one of those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmacScheme {
    pub(super) header: Cow<'static, str>,
    pub(super) algorithm: Algorithm,
    pub(super) encoding: Encoding,
    pub(super) prefix: Cow<'static, str>,
    pub(super) signed: Cow<'static, str>,
    pub(super) timestamp_header: Option<Cow<'static, str>>,
}

impl HmacScheme {
    /// The scheme whose signature comes in `header`.
    pub fn new(header: impl Into<Cow<'static, str>>) -> Self {
        HmacScheme {
            header: header.into(),
            algorithm: Algorithm::Sha256,
            encoding: Encoding::Hex,
            prefix: Cow::Borrowed(""),
            signed: Cow::Borrowed("{body}"),
            timestamp_header: None,
        }
    }

    /// The hash (SHA-256 unless set).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// How the signature is written (hex unless set).
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Text before the signature in its header, such as `sha256=`.
    pub fn prefix(mut self, prefix: impl Into<Cow<'static, str>>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// What is signed: a template holding `{body}` once, and `{timestamp}` where the
    /// timestamp header's value goes (`{timestamp}.{body}`). `{body}` unless set.
    pub fn signed(mut self, template: impl Into<Cow<'static, str>>) -> Self {
        self.signed = template.into();
        self
    }

    /// The header carrying the Unix time of signing: then a timestamp outside the
    /// tolerance is refused, either way.
    pub fn timestamp_header(mut self, header: impl Into<Cow<'static, str>>) -> Self {
        self.timestamp_header = Some(header.into());
        self
    }
}

/// How far a timestamp may be from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Window {
    /// Refused when older or newer than the tolerance.
    Both,
    /// Refused only when older.
    PastOnly,
    /// The scheme signs no time.
    None,
}

impl Scheme {
    pub(super) fn window(&self) -> Window {
        match self {
            Scheme::StandardWebhooks | Scheme::Slack => Window::Both,
            Scheme::Stripe => Window::PastOnly,
            Scheme::GitHub => Window::None,
            Scheme::Hmac(hmac) if hmac.timestamp_header.is_some() => Window::Both,
            Scheme::Hmac(_) => Window::None,
        }
    }

    /// The hash of the scheme's HMAC.
    pub(super) fn algorithm(&self) -> Algorithm {
        match self {
            Scheme::Hmac(hmac) => hmac.algorithm,
            _ => Algorithm::Sha256,
        }
    }

    /// The header that carries the signatures, for messages.
    pub(super) fn signature_header(&self) -> &str {
        match self {
            Scheme::StandardWebhooks => "webhook-signature",
            Scheme::Stripe => "Stripe-Signature",
            Scheme::GitHub => "X-Hub-Signature-256",
            Scheme::Slack => "X-Slack-Signature",
            Scheme::Hmac(hmac) => &hmac.header,
        }
    }
}
