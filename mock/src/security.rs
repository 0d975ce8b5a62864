//! Security requirements: is the credential each one asks for present? Only presence
//! is checked (the mock knows no passwords), except that a token the mock issued and
//! that has expired is refused, as the provider would.

use std::collections::HashMap;
use std::sync::Arc;

use authgen_codegen::model::SchemeKind;

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
    /// Mutual TLS (the mock serves plain HTTP): nothing the mock can check.
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

impl Scheme {
    /// How the generator's scheme `kind` sends its credential.
    pub(crate) fn of(kind: &SchemeKind) -> Scheme {
        match kind {
            SchemeKind::Basic => Scheme::Http { scheme: "basic".into() },
            SchemeKind::ApiKey { location, name } => {
                Scheme::ApiKey { location: Location::of(*location), name: name.clone() }
            }
            SchemeKind::MutualTls => Scheme::Unchecked,
            SchemeKind::Bearer | SchemeKind::OAuth2(_) | SchemeKind::OpenIdConnect { .. } => {
                Scheme::Http { scheme: "bearer".into() }
            }
        }
    }
}

impl Security {
    /// The requirement of an operation (the model's alternatives, each naming the
    /// schemes it needs), its names looked up in `schemes`.
    pub(crate) fn new(alternatives: &[Vec<String>], schemes: &HashMap<&str, Arc<Scheme>>) -> Security {
        let unchecked = Arc::new(Scheme::Unchecked);
        let scheme = |name: &String| schemes.get(name.as_str()).cloned().unwrap_or_else(|| unchecked.clone());
        let alternatives =
            alternatives.iter().map(|names| names.iter().map(|n| (n.clone(), scheme(n))).collect());
        Security { alternatives: alternatives.collect() }
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
