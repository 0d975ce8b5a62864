//! The five contracts, one module each: a request in, the documented answer out.

mod core_banking;
mod dakota;
mod mogoplus;
mod moota;
mod uqudo;

use std::sync::atomic::Ordering;

use serde_json::Value;

use crate::Provider;
use crate::server::{Answer, Exchange, Shared};

/// The provider's answer to `request`.
pub(crate) fn answer(shared: &Shared, request: &Exchange) -> Answer {
    let (path, handler): (&str, fn(&Shared, &Exchange) -> Answer) = match shared.provider {
        Provider::Mogoplus => ("/api/v1/oauth2/token", mogoplus::token),
        Provider::Moota => ("/api/v2/auth/login", moota::login),
        Provider::Dakota => ("/index.php/api/oauth2", dakota::token),
        Provider::Uqudo => ("/api/oauth/token", uqudo::token),
        Provider::CoreBanking => ("/api/auth/v1/authenticate", core_banking::authenticate),
    };
    if request.path == path && request.method == hyper::Method::POST {
        shared.token_requests.fetch_add(1, Ordering::Relaxed);
        return handler(shared, request);
    }
    match shared.provider {
        Provider::Moota => moota::api(shared, request),
        Provider::Dakota => Answer::empty(404),
        _ => Answer::json(404, serde_json::json!({ "error": "not_found" })),
    }
}

/// The request body as a JSON object, if it is one.
fn json_body(request: &Exchange) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(&request.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A string field of a JSON object, or "".
fn text<'m>(body: &'m serde_json::Map<String, Value>, key: &str) -> &'m str {
    body.get(key).and_then(Value::as_str).unwrap_or_default()
}
