//! Moota: a JSON login that answers bad credentials with a 302 and a JSON body, and
//! an API that wants the login's JWT as a bearer token.

use serde_json::{Value, json};

use super::{json_body, text};
use crate::server::{Answer, Exchange, Shared};

const SCOPES: &[&str] = &["api", "user", "user_read", "bank", "bank_read", "mutation", "mutation_read"];

pub(super) fn login(shared: &Shared, request: &Exchange) -> Answer {
    if let Some(refusal) = json_only(request) {
        return refusal;
    }
    let Some(body) = json_body(request) else {
        return Answer::json(422, json!({ "message": "The given data was invalid." }));
    };
    let scopes: Vec<&str> = body
        .get("scopes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let known = body.get("scopes").and_then(Value::as_array).is_some_and(|s| s.len() == scopes.len());
    if !known || scopes.iter().any(|s| !SCOPES.contains(s)) {
        return Answer::json(
            422,
            json!({ "message": "The given data was invalid.", "errors": { "scopes": ["The selected scopes is invalid."] } }),
        );
    }
    if !shared.accepts(text(&body, "username"), text(&body, "password")) {
        return Answer::json(302, json!({ "message": "Invalid Credentials" }));
    }
    let token =
        shared.signer.sign(text(&body, "username"), json!({ "scopes": scopes }), shared.lifetime_secs());
    Answer::json(200, json!({ "access_token": token }))
}

/// Any other call: a valid, unexpired bearer token from this sandbox's login.
pub(super) fn api(shared: &Shared, request: &Exchange) -> Answer {
    if let Some(refusal) = accepts_json(request) {
        return refusal;
    }
    let claims = request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|t| shared.signer.verify(t.trim()));
    match claims {
        Some(claims) => {
            let object = request.path.rsplit('/').next().unwrap_or_default();
            Answer::json(200, json!({ "object": object, "scopes": claims["scopes"] }))
        }
        None => Answer::json(401, json!({ "message": "Unauthenticated." })),
    }
}

fn json_only(request: &Exchange) -> Option<Answer> {
    if !request.content_type_is("application/json") {
        return Some(Answer::json(415, json!({ "message": "Content-Type must be application/json" })));
    }
    accepts_json(request)
}

fn accepts_json(request: &Exchange) -> Option<Answer> {
    let accept = request.header("accept").unwrap_or_default();
    let ok = accept
        .split(',')
        .map(|m| m.split(';').next().unwrap_or_default().trim())
        .any(|m| m == "application/json" || m == "*/*" || m == "application/*");
    (!ok).then(|| Answer::json(406, json!({ "message": "Accept must allow application/json" })))
}
