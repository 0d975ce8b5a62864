//! What a request's headers claim (when it was signed, over which text, with which
//! signatures), and the headers a signer writes: each scheme's wire format, both ways.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::WebhookError;
use super::scheme::{Encoding, HmacScheme, Scheme};

/// A signature the request carries, decoded.
pub(super) enum Entry {
    /// An HMAC.
    Mac(Vec<u8>),
    /// A Standard Webhooks `v1a` Ed25519 signature.
    Ed25519(Vec<u8>),
}

/// The signed text is `before`, the body's bytes as received, then `after`.
pub(super) struct Envelope {
    pub before: String,
    pub after: String,
}

/// What the headers say.
pub(super) struct Claim {
    pub timestamp: Option<i64>,
    pub envelope: Envelope,
    pub signatures: Vec<Entry>,
}

/// Reads the headers `scheme` writes (names in any case: `HeaderMap` folds them).
pub(super) fn read(scheme: &Scheme, headers: &HeaderMap) -> Result<Claim, WebhookError> {
    match scheme {
        Scheme::StandardWebhooks => standard(headers),
        Scheme::Stripe => stripe(headers),
        Scheme::GitHub => {
            let signature = header(headers, "X-Hub-Signature-256")?;
            let hex = prefixed(signature, "sha256=", "X-Hub-Signature-256")?;
            let entry = Entry::Mac(decode(hex, Encoding::Hex, "X-Hub-Signature-256")?);
            Ok(Claim { timestamp: None, envelope: envelope(scheme, "", 0)?, signatures: vec![entry] })
        }
        Scheme::Slack => {
            let timestamp = timestamp(headers, "X-Slack-Request-Timestamp")?;
            let hex = prefixed(header(headers, "X-Slack-Signature")?, "v0=", "X-Slack-Signature")?;
            let entry = Entry::Mac(decode(hex, Encoding::Hex, "X-Slack-Signature")?);
            Ok(Claim {
                timestamp: Some(timestamp),
                envelope: envelope(scheme, "", timestamp)?,
                signatures: vec![entry],
            })
        }
        Scheme::Hmac(hmac) => generic(scheme, hmac, headers),
    }
}

/// The headers that carry `signature` (raw bytes), made at `timestamp` for message `id`.
pub(super) fn write(
    scheme: &Scheme,
    id: &str,
    timestamp: i64,
    signature: &Entry,
) -> Result<HeaderMap, WebhookError> {
    let (Entry::Mac(bytes) | Entry::Ed25519(bytes)) = signature;
    let hex = || encode(bytes, Encoding::Hex);
    let pairs: Vec<(&str, String)> = match scheme {
        Scheme::StandardWebhooks => {
            let version = if matches!(signature, Entry::Mac(_)) { "v1" } else { "v1a" };
            vec![
                ("webhook-id", id.to_string()),
                ("webhook-timestamp", timestamp.to_string()),
                ("webhook-signature", format!("{version},{}", encode(bytes, Encoding::Base64))),
            ]
        }
        Scheme::Stripe => vec![("Stripe-Signature", format!("t={timestamp},v1={}", hex()))],
        Scheme::GitHub => vec![("X-Hub-Signature-256", format!("sha256={}", hex()))],
        Scheme::Slack => {
            vec![
                ("X-Slack-Request-Timestamp", timestamp.to_string()),
                ("X-Slack-Signature", format!("v0={}", hex())),
            ]
        }
        Scheme::Hmac(hmac) => {
            let mut pairs = vec![(&*hmac.header, format!("{}{}", hmac.prefix, encode(bytes, hmac.encoding)))];
            pairs.extend(hmac.timestamp_header.as_deref().map(|name| (name, timestamp.to_string())));
            pairs
        }
    };
    pairs.into_iter().map(|(name, value)| header_pair(name, value)).collect()
}

/// The text signed around the body.
pub(super) fn envelope(scheme: &Scheme, id: &str, timestamp: i64) -> Result<Envelope, WebhookError> {
    let (before, after) = match scheme {
        Scheme::StandardWebhooks => (format!("{id}.{timestamp}."), String::new()),
        Scheme::Stripe => (format!("{timestamp}."), String::new()),
        Scheme::GitHub => (String::new(), String::new()),
        Scheme::Slack => (format!("v0:{timestamp}:"), String::new()),
        Scheme::Hmac(hmac) => {
            let template = hmac.signed.replace("{timestamp}", &timestamp.to_string());
            let (before, after) = template
                .split_once("{body}")
                .ok_or(WebhookError::Unusable("the scheme's signed text has no `{body}`"))?;
            (before.to_string(), after.to_string())
        }
    };
    Ok(Envelope { before, after })
}

fn standard(headers: &HeaderMap) -> Result<Claim, WebhookError> {
    // Svix sends the same scheme under its own names.
    let either = |name: &'static str, svix: &str| {
        let value = headers.get(svix).or_else(|| headers.get(name));
        let value = value.ok_or_else(|| WebhookError::MissingHeader(name.into()))?;
        value.to_str().map_err(|_| malformed(name, "not visible ASCII"))
    };
    let id = either("webhook-id", "svix-id")?;
    let timestamp = parse_time(either("webhook-timestamp", "svix-timestamp")?, "webhook-timestamp")?;
    let listed = either("webhook-signature", "svix-signature")?;
    let signatures: Vec<Entry> = listed
        .split_whitespace()
        .filter_map(|entry| match entry.split_once(',')? {
            ("v1", b64) => BASE64.decode(b64).ok().map(Entry::Mac),
            ("v1a", b64) => BASE64.decode(b64).ok().map(Entry::Ed25519),
            _ => None,
        })
        .collect();
    if signatures.is_empty() {
        return Err(malformed("webhook-signature", "no `v1,` or `v1a,` entry in base64"));
    }
    let envelope = envelope(&Scheme::StandardWebhooks, id, timestamp)?;
    Ok(Claim { timestamp: Some(timestamp), envelope, signatures })
}

fn stripe(headers: &HeaderMap) -> Result<Claim, WebhookError> {
    const NAME: &str = "Stripe-Signature";
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for (key, value) in header(headers, NAME)?.split(',').filter_map(|pair| pair.trim().split_once('=')) {
        match key {
            "t" => timestamp = Some(parse_time(value, NAME)?),
            "v1" => signatures.extend(decode(value, Encoding::Hex, NAME).ok().map(Entry::Mac)),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| malformed(NAME, "no `t=` timestamp"))?;
    if signatures.is_empty() {
        return Err(malformed(NAME, "no `v1=` signature in hex"));
    }
    Ok(Claim { timestamp: Some(timestamp), envelope: envelope(&Scheme::Stripe, "", timestamp)?, signatures })
}

fn generic(scheme: &Scheme, hmac: &HmacScheme, headers: &HeaderMap) -> Result<Claim, WebhookError> {
    let timestamp = hmac.timestamp_header.as_deref().map(|name| timestamp(headers, name)).transpose()?;
    if timestamp.is_none() && hmac.signed.contains("{timestamp}") {
        return Err(WebhookError::Unusable("the scheme signs `{timestamp}` but names no timestamp header"));
    }
    let value = prefixed(header(headers, &hmac.header)?, &hmac.prefix, &hmac.header)?;
    let entry = Entry::Mac(decode(value, hmac.encoding, &hmac.header)?);
    Ok(Claim { timestamp, envelope: envelope(scheme, "", timestamp.unwrap_or(0))?, signatures: vec![entry] })
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, WebhookError> {
    let value = headers.get(name).ok_or_else(|| WebhookError::MissingHeader(name.into()))?;
    value.to_str().map_err(|_| malformed(name, "not visible ASCII"))
}

fn timestamp(headers: &HeaderMap, name: &str) -> Result<i64, WebhookError> {
    parse_time(header(headers, name)?, name)
}

fn parse_time(text: &str, name: &str) -> Result<i64, WebhookError> {
    text.trim().parse().map_err(|_| malformed(name, "the timestamp is not Unix seconds"))
}

fn prefixed<'v>(value: &'v str, prefix: &str, name: &str) -> Result<&'v str, WebhookError> {
    value.strip_prefix(prefix).ok_or_else(|| malformed(name, "the signature lacks the scheme's prefix"))
}

fn decode(text: &str, encoding: Encoding, name: &str) -> Result<Vec<u8>, WebhookError> {
    let decoded = match encoding {
        Encoding::Hex => from_hex(text.trim()),
        Encoding::Base64 => BASE64.decode(text.trim()).ok(),
    };
    decoded.ok_or_else(|| malformed(name, "the signature is not in the scheme's encoding"))
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16);
    text.as_bytes().chunks(2).map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)).collect()
}

fn encode(bytes: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Hex => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        Encoding::Base64 => BASE64.encode(bytes),
    }
}

fn malformed(header: &str, reason: &'static str) -> WebhookError {
    WebhookError::MalformedHeader { header: header.into(), reason }
}

fn header_pair(name: &str, value: String) -> Result<(HeaderName, HeaderValue), WebhookError> {
    let name = HeaderName::try_from(name)
        .map_err(|_| WebhookError::Unusable("the scheme's header name is invalid"))?;
    let value = HeaderValue::try_from(value)
        .map_err(|_| WebhookError::Unusable("the message id is not a header value"))?;
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(from_hex(&encode(&bytes, Encoding::Hex)), Some(bytes.to_vec()));
        assert_eq!(from_hex("ABff"), Some(vec![0xab, 0xff]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é1"), None);
    }
}
