//! [`Challenge`]: what a `WWW-Authenticate` header of a 401 or 403 asks for (RFC 9110
//! §11.6.1, RFC 6750 §3): the error and the scopes of a bearer challenge.

use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};

/// A `Bearer` (or `DPoP`) challenge's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Challenge {
    /// `error`: `invalid_token`, `insufficient_scope`, `use_dpop_nonce`, ….
    pub(crate) error: Option<String>,
    /// `scope`: the scopes the resource needs, space-separated.
    pub(crate) scope: Option<String>,
}

impl Challenge {
    /// The first `Bearer` or `DPoP` challenge of `headers`, if there is one.
    pub(crate) fn of(headers: &HeaderMap) -> Option<Challenge> {
        headers.get_all(WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok()).find_map(parse)
    }

    /// The scopes the resource asked for, if it did.
    pub(crate) fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.iter().flat_map(|s| s.split_ascii_whitespace())
    }
}

/// The bearer challenge of one header value: `Basic realm="a", Bearer error="x", scope="y z"`
/// holds two challenges; parameters are `name=token` or `name="quoted \" string"`.
fn parse(value: &str) -> Option<Challenge> {
    let mut rest = value;
    let mut challenge: Option<Challenge> = None;
    loop {
        rest = rest.trim_start_matches([' ', ',', '\t']);
        if rest.is_empty() {
            return challenge;
        }
        let word_end = rest.find([' ', '=', ',', '\t']).unwrap_or(rest.len());
        if word_end == 0 {
            // A stray `=`: skip it, so that every turn moves on.
            rest = &rest[1..];
            continue;
        }
        let (word, after) = rest.split_at(word_end);
        let after = after.trim_start();
        if let Some(after) = after.strip_prefix('=').filter(|a| !a.starts_with('=')) {
            let (param, tail) = param_value(after.trim_start());
            if let Some(challenge) = challenge.as_mut() {
                match word.to_ascii_lowercase().as_str() {
                    "error" => challenge.error = Some(param),
                    "scope" => challenge.scope = Some(param),
                    _ => {}
                }
            }
            rest = tail;
        } else {
            // A new challenge starts: stop at the second once a bearer one was read.
            if challenge.is_some() {
                return challenge;
            }
            if word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("dpop") {
                challenge = Some(Challenge::default());
            }
            rest = after;
        }
    }
}

/// A parameter's value (a token or a quoted string, unescaped) and what follows it.
fn param_value(text: &str) -> (String, &str) {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text.find([',', ' ', '\t']).unwrap_or(text.len());
        return (text[..end].to_string(), &text[end..]);
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.extend(chars.next().map(|(_, c)| c)),
            '"' => return (value, &quoted[i + 1..]),
            c => value.push(c),
        }
    }
    (value, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(value: &str) -> Option<Challenge> {
        let mut headers = HeaderMap::new();
        headers.insert(WWW_AUTHENTICATE, value.parse().unwrap());
        Challenge::of(&headers)
    }

    #[test]
    fn rfc_6750_examples_are_read() {
        let c = challenge(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        );
        assert_eq!(c.unwrap().error.as_deref(), Some("invalid_token"));
        let c =
            challenge(r#"Bearer realm="example", error="insufficient_scope", scope="read  write""#).unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scopes().collect::<Vec<_>>(), ["read", "write"]);
        assert_eq!(challenge(r#"Bearer realm="example""#), Some(Challenge::default()));
    }

    #[test]
    fn the_bearer_challenge_is_found_among_others_and_quotes_unescaped() {
        let c = challenge(r#"Basic realm="a, b", Bearer error=invalid_token, Newauth realm="x", error="no""#);
        assert_eq!(c.unwrap().error.as_deref(), Some("invalid_token"));
        let c = challenge(r#"DPoP algs="ES256", error="use_dpop_nonce", error_description="say \"nonce\"""#);
        assert_eq!(c.unwrap().error.as_deref(), Some("use_dpop_nonce"));
        assert_eq!(challenge(r#"Basic realm="error=\"x\"""#), None);
        for odd in ["", "Bearer", "Bearer error=", "Bearer error=\"unterminated", "=,=", "Bearer ==x"] {
            let _ = challenge(odd);
        }
    }
}
