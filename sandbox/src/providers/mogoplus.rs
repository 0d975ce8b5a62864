//! MOGOPLUS: mutual TLS (enforced by the handshake), then the grant type, then Basic.

use base64::Engine;
use serde_json::json;

use crate::jwt::random_hex;
use crate::server::{Answer, Exchange, Shared};

pub(super) fn token(shared: &Shared, request: &Exchange) -> Answer {
    let grant: Vec<(String, String)> =
        serde_urlencoded::from_str(request.query.as_deref().unwrap_or_default()).unwrap_or_default();
    let grant_type = grant.iter().find(|(k, _)| k == "grant_type").map(|(_, v)| v.as_str());
    if grant_type != Some("client_credentials") {
        return Answer::json(
            400,
            json!({
                "error_description": "OAuth 2.0 Parameter: grant_type",
                "error": "unsupported_grant_type",
                "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"
            }),
        );
    }
    match basic(request) {
        Some((user, password)) if shared.accepts(&user, &password) => Answer::json(
            200,
            json!({ "access_token": format!("eyJ{}", random_hex(24)), "token_type": "Bearer", "expires_in": shared.lifetime_secs() }),
        ),
        _ => Answer::json(401, json!({ "error": "invalid_client" })),
    }
}

/// The username and password of an `Authorization: Basic` header.
fn basic(request: &Exchange) -> Option<(String, String)> {
    let encoded = request.header("authorization")?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}
