//! Core banking: JSON client credentials of at most 100 characters each.

use serde_json::json;

use super::{json_body, text};
use crate::jwt::{now, random_hex};
use crate::server::{Answer, Exchange, Shared};

pub(super) fn authenticate(shared: &Shared, request: &Exchange) -> Answer {
    let Some(body) = json_body(request).filter(|_| request.content_type_is("application/json")) else {
        return Answer::json(
            400,
            json!({ "message": "a JSON body with clientId and clientSecret is required" }),
        );
    };
    let (id, secret) = (text(&body, "clientId"), text(&body, "clientSecret"));
    if id.chars().count() > 100 || secret.chars().count() > 100 {
        return Answer::json(
            400,
            json!({ "message": "clientId and clientSecret are at most 100 characters" }),
        );
    }
    if !shared.accepts(id, secret) {
        return Answer::json(401, json!({ "message": "invalid client credentials" }));
    }
    let lifetime = shared.lifetime_secs();
    Answer::json(
        200,
        json!({ "accessToken": random_hex(24), "tokenType": "Bearer", "expirationTime": now() + lifetime, "tokenValiditySec": lifetime }),
    )
}
