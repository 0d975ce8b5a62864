//! Security requirements: is the credential each one asks for present? Only presence
//! is checked (the mock knows no passwords), except that a token the mock issued and
//! that has expired is refused, as the provider would.

use std::collections::HashMap;
use std::sync::Arc;

use authgen_codegen::diagnostics::Pointer;
use serde_json::Value;

use crate::params::{Location, Sent};
use crate::problem::Failure;
use crate::token::Tokens;

/// How a security scheme's credential travels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scheme {
    /// An API key in a header, query parameter or cookie.
    ApiKey { location: Location, name: String },
    /// `Authorization: <scheme> …` (`basic`, `bearer`, `digest`, lower case); OAuth 2
    /// and OpenID Connect send `bearer`.
    Http { scheme: String },
    /// Mutual TLS (the mock serves plain HTTP) or a scheme the document does not
    /// define: nothing the mock can check.
    Unchecked,
}

/// An operation's requirement: any one alternative, each a list of schemes all needed.
/// No alternatives: nothing needed; an empty alternative (`{}`) makes the others
/// optional.
#[derive(Debug, Clone, Default)]
pub(crate) struct Security {
    alternatives: Vec<Vec<(String, Arc<Scheme>)>>,
}

/// Why a request lacks credentials: the failures and the `WWW-Authenticate` challenges.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub failures: Vec<Failure>,
    pub challenges: Vec<String>,
}

/// The realm every challenge names.
const REALM: &str = "authgen-mock";

/// The document's security schemes by name, and what is wrong with any of them.
pub(crate) fn schemes(doc: &Value, mutual_tls: &[String]) -> (HashMap<String, Arc<Scheme>>, Vec<String>) {
    let mut found: HashMap<String, Arc<Scheme>> =
        mutual_tls.iter().map(|name| (name.clone(), Arc::new(Scheme::Unchecked))).collect();
    let mut warnings = Vec::new();
    let defined = doc.pointer("/components/securitySchemes").and_then(Value::as_object);
    for (name, scheme) in defined.into_iter().flatten() {
        let at = Pointer::root().join("components").join("securitySchemes").join(name);
        match crate::doc::resolve(doc, scheme, &at).and_then(|(s, _)| scheme_of(s)) {
            Some(scheme) => drop(found.insert(name.clone(), Arc::new(scheme))),
            None => warnings.push(format!("{at}: not a security scheme the mock knows; not checked")),
        }
    }
    (found, warnings)
}

fn scheme_of(scheme: &Value) -> Option<Scheme> {
    let text = |key: &str| scheme.get(key).and_then(Value::as_str);
    Some(match text("type")? {
        "apiKey" => {
            Scheme::ApiKey { location: Location::parse(text("in")?)?, name: text("name")?.to_string() }
        }
        "http" => Scheme::Http { scheme: text("scheme")?.to_ascii_lowercase() },
        "oauth2" | "openIdConnect" => Scheme::Http { scheme: "bearer".into() },
        _ => Scheme::Unchecked,
    })
}

impl Security {
    /// The requirement `requirement` (an operation's `security`, else the document's),
    /// its names looked up in `schemes`; names that are not defined are not checked.
    pub(crate) fn new(requirement: Option<&Value>, schemes: &HashMap<String, Arc<Scheme>>) -> Security {
        let Some(Value::Array(alternatives)) = requirement else { return Security::default() };
        let unchecked = Arc::new(Scheme::Unchecked);
        let alternatives = alternatives
            .iter()
            .filter_map(Value::as_object)
            .map(|names| {
                names
                    .keys()
                    .map(|n| (n.clone(), schemes.get(n).cloned().unwrap_or_else(|| unchecked.clone())))
                    .collect()
            })
            .collect();
        Security { alternatives }
    }

    /// `Ok` when one alternative's credentials are all present.
    pub(crate) fn check(&self, sent: &Sent, tokens: &Tokens) -> Result<(), Refusal> {
        if self.alternatives.is_empty() {
            return Ok(());
        }
        let mut failures: Vec<Failure> = Vec::new();
        let mut challenges: Vec<String> = Vec::new();
        for alternative in &self.alternatives {
            let missing: Vec<(Failure, String)> =
                alternative.iter().filter_map(|(name, scheme)| lacking(name, scheme, sent, tokens)).collect();
            if missing.is_empty() {
                return Ok(());
            }
            for (failure, challenge) in missing {
                if !failures.contains(&failure) {
                    failures.push(failure);
                }
                if !challenges.contains(&challenge) {
                    challenges.push(challenge);
                }
            }
        }
        Err(Refusal { failures, challenges })
    }
}

/// What is wrong with the credential of `scheme` in `sent`, and the challenge to send.
fn lacking(name: &str, scheme: &Scheme, sent: &Sent, tokens: &Tokens) -> Option<(Failure, String)> {
    match scheme {
        Scheme::Unchecked => None,
        Scheme::ApiKey { location, name: key } => {
            let present = match location {
                Location::Header => sent.header(key).is_some_and(|v| !v.trim().is_empty()),
                Location::Query => sent.query_values(key).any(|v| !v.is_empty()),
                Location::Cookie => sent.cookie(key).is_some_and(|v| !v.is_empty()),
                Location::Path => true,
            };
            let place = match location {
                Location::Query => "query parameter",
                other => other.as_str(),
            };
            let detail = format!("the API key {place} `{key}` was not sent");
            let challenge = format!("ApiKey realm=\"{REALM}\", name=\"{key}\", in=\"{}\"", location.as_str());
            (!present).then(|| (Failure::scheme(name, detail), challenge))
        }
        Scheme::Http { scheme } => {
            let shown = capitalised(scheme);
            let challenge = format!("{shown} realm=\"{REALM}\"");
            let authorization = sent.header("authorization").unwrap_or_default();
            let credential = authorization
                .split_once(' ')
                .filter(|(s, c)| s.eq_ignore_ascii_case(scheme) && !c.trim().is_empty())
                .map(|(_, c)| c.trim());
            match credential {
                None => Some((
                    Failure::scheme(name, format!("an `Authorization: {shown} …` header was not sent")),
                    challenge,
                )),
                Some(token) if scheme == "bearer" && tokens.expired(token) => Some((
                    Failure::scheme(name, "the bearer token the mock issued has expired".into()),
                    format!(
                        "{challenge}, error=\"invalid_token\", error_description=\"the token has expired\""
                    ),
                )),
                Some(_) => None,
            }
        }
    }
}

/// `bearer` -> `Bearer`, as challenges write scheme names.
fn capitalised(scheme: &str) -> String {
    let mut chars = scheme.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
