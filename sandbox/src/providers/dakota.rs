//! Dakota: the password grant in JSON; failures are bare statuses, as documented.

use serde_json::json;

use super::{json_body, text};
use crate::jwt::random_hex;
use crate::server::{Answer, Exchange, Shared};

pub(super) fn token(shared: &Shared, request: &Exchange) -> Answer {
    let Some(body) = json_body(request).filter(|_| request.content_type_is("application/json")) else {
        return Answer::empty(400);
    };
    if text(&body, "grant_type") != "password"
        || !shared.accepts(text(&body, "username"), text(&body, "password"))
    {
        return Answer::empty(400);
    }
    let lifetime = shared.lifetime_secs();
    Answer::json(
        200,
        json!({
            "access_token": upper_uuid(),
            "expires_in": lifetime,
            "refresh_token": upper_uuid(),
            "refresh_expires_in": lifetime * 5,
            "fuse_client_id_seq": null
        }),
    )
}

/// `93019854-6B88-4997-9179-C1C50E7D2E9D`, as the page's example.
fn upper_uuid() -> String {
    let h = random_hex(16).to_uppercase();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}
