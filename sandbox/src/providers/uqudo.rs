//! Uqudo: client credentials in a form body, nothing else.

use serde_json::json;

use crate::jwt::uuid_v4;
use crate::server::{Answer, Exchange, Shared};

pub(super) fn token(shared: &Shared, request: &Exchange) -> Answer {
    if !request.content_type_is("application/x-www-form-urlencoded") {
        return Answer::json(
            415,
            json!({ "error": "unsupported_media_type", "error_description": "use application/x-www-form-urlencoded" }),
        );
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&request.body).unwrap_or_default();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    if field("grant_type") != "client_credentials" {
        return Answer::json(400, json!({ "error": "unsupported_grant_type" }));
    }
    if !shared.accepts(field("client_id"), field("client_secret")) {
        return Answer::json(401, json!({}));
    }
    let lifetime = shared.lifetime_secs();
    let token = shared.signer.sign(field("client_id"), json!({ "scope": ["sdk", "api"] }), lifetime);
    Answer::json(
        200,
        json!({ "access_token": token, "token_type": "bearer", "expires_in": lifetime, "scope": "sdk api", "jti": uuid_v4() }),
    )
}
