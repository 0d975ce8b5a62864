//! One request, checked and answered: routed (404, 405), its credentials (401), its
//! parameters (400) and its body (400, 415, 422) checked in that order, then answered
//! from the spec.

use std::hash::{Hash, Hasher};

use bytes::Bytes;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode};

use crate::answer::{Payload, Prefer};
use crate::example::Generator;
use crate::params::Sent;
use crate::problem::{self, Failure};
use crate::spec::Api;

/// A request as the checks read it.
pub(crate) struct Exchange<'r> {
    pub method: &'r Method,
    pub path: &'r str,
    pub query: Option<&'r str>,
    pub headers: &'r HeaderMap,
    pub body: &'r [u8],
}

/// An answer, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Payload,
}

const PROBLEM: HeaderValue = HeaderValue::from_static("application/problem+json");

impl Reply {
    fn problem(status: StatusCode, body: Bytes) -> Reply {
        Reply { status, headers: vec![(header::CONTENT_TYPE, PROBLEM)], body: Payload::Whole(body) }
    }

    fn failures(status: StatusCode, failures: &[Failure]) -> Reply {
        let title = status.canonical_reason().unwrap_or("Error");
        Reply::problem(status, problem::problem(status.as_u16(), title, failures))
    }

    fn plain(status: StatusCode, detail: &str) -> Reply {
        let title = status.canonical_reason().unwrap_or("Error");
        Reply::problem(status, problem::plain(status.as_u16(), title, detail))
    }
}

impl Api {
    /// The operation `ex` calls if it keeps to the spec, else the mock's own answer.
    /// The refusal names the operation where the request got that far.
    pub(crate) fn check(&self, ex: &Exchange) -> Result<usize, (Option<usize>, Reply)> {
        let fits = self.router.fits(ex.path);
        if fits.is_empty() {
            let detail = format!("no path of {} matches `{}`", self.file, ex.path);
            return Err((None, Reply::plain(StatusCode::NOT_FOUND, &detail)));
        }
        let found = fits.iter().find_map(|fit| {
            let (_, op) = fit.value.methods.iter().find(|(m, _)| m == ex.method)?;
            Some((*op, fit))
        });
        let Some((op, fit)) = found else { return Err((None, self.not_allowed(ex, &fits))) };
        let operation = &self.operations[op];
        let sent = Sent::new(&fit.params, ex.query, ex.headers);
        if let Err(refusal) = operation.security.check(&sent, &self.tokens) {
            let mut reply = Reply::failures(StatusCode::UNAUTHORIZED, &refusal.failures);
            for challenge in refusal.challenges {
                if let Ok(value) = HeaderValue::try_from(challenge) {
                    reply.headers.push((header::WWW_AUTHENTICATE, value));
                }
            }
            return Err((Some(op), reply));
        }
        let failures: Vec<Failure> =
            operation.params.iter().flat_map(|p| p.failures(&self.doc, &self.schemas, &sent)).collect();
        if !failures.is_empty() {
            return Err((Some(op), Reply::failures(StatusCode::BAD_REQUEST, &failures)));
        }
        if let Some(body) = &operation.body {
            let content_type = ex.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            if let Err(refusal) = body.read(&self.doc, &self.schemas, content_type, ex.body) {
                let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
                return Err((Some(op), Reply::failures(status, &refusal.failures)));
            }
        }
        Ok(op)
    }

    fn not_allowed(&self, ex: &Exchange, fits: &[crate::route::Fit<crate::spec::Route>]) -> Reply {
        let mut allowed: Vec<&str> = Vec::new();
        for (method, _) in fits.iter().flat_map(|f| &f.value.methods) {
            if !allowed.contains(&method.as_str()) {
                allowed.push(method.as_str());
            }
        }
        let detail =
            format!("`{}` is not an operation of `{}`; it takes {}", ex.method, ex.path, allowed.join(", "));
        let mut reply = Reply::plain(StatusCode::METHOD_NOT_ALLOWED, &detail);
        if let Ok(allow) = HeaderValue::try_from(allowed.join(", ")) {
            reply.headers.push((header::ALLOW, allow));
        }
        reply
    }

    /// The spec's answer to `ex`, a call of operation `op`.
    pub(crate) fn answer(&self, op: usize, ex: &Exchange) -> Reply {
        let operation = &self.operations[op];
        let prefer = Prefer::parse(ex.headers.get_all("prefer").iter().filter_map(|v| v.to_str().ok()));
        let accept = ex.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
        let Some(mut picked) = operation.answers.pick(&prefer, accept) else {
            let detail = format!(
                "the spec documents no answer the mock can serve for `{} {}`",
                operation.method, operation.template
            );
            return Reply::plain(StatusCode::NOT_IMPLEMENTED, &detail);
        };
        let mut headers = picked.response.headers.clone();
        let body = match picked.media {
            None => Payload::Whole(Bytes::new()),
            Some(media) => {
                headers.push((header::CONTENT_TYPE, media.content_type.clone()));
                let mut body = media.body.clone();
                if let Some(named) = prefer.example.as_deref().and_then(|name| media.named(name)) {
                    body = named.clone();
                    picked.applied.push(format!("example={}", prefer.example.as_deref().unwrap_or_default()));
                } else if let (true, Some((schema, at))) = (prefer.dynamic, media.schema()) {
                    let value = Generator::dynamic(&self.doc, &self.schemas, seed(ex)).value(schema, at);
                    body = media.encode(&value);
                    picked.applied.push("dynamic=true".into());
                }
                match (&operation.token, &body) {
                    (Some(fields), Payload::Whole(bytes))
                        if picked.status.is_success() && media.is_json() =>
                    {
                        let answer = serde_json::from_slice(bytes).unwrap_or_default();
                        Payload::Whole(Bytes::from(fields.issue(&self.tokens, answer).to_string()))
                    }
                    _ => body,
                }
            }
        };
        if !picked.applied.is_empty()
            && let Ok(value) = HeaderValue::try_from(picked.applied.join(", "))
        {
            headers.push((HeaderName::from_static("preference-applied"), value));
        }
        Reply { status: picked.status, headers, body }
    }
}

/// The same number for the same request: what a made-up answer is built from.
fn seed(ex: &Exchange) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (ex.method.as_str(), ex.path, ex.query, ex.body).hash(&mut hasher);
    hasher.finish()
}
