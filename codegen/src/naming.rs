//! Rust identifiers from wire names: one place for case conversion, keywords and
//! collisions, so every stage names things the same way.

use std::collections::BTreeSet;

/// Words Rust reserves (strict and reserved keywords of edition 2024).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords a raw identifier cannot spell (`r#self` is not one): these take a suffix.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Identifier length beyond which names are shortened (with a stable hash suffix).
const MAX_IDENT: usize = 64;

/// Splits a wire name into words, as written (`snake` and `pascal` give them their
/// case): `clientId` -> [client, Id], `HTTPServer_v2` -> [HTTP, Server, v2], `index.php`
/// -> [index, php]. A word is a run
/// of ASCII letters and digits; every other character (`_`, `-`, `é`, `ß`) separates
/// words, so that every name built from them is ASCII in the case Rust's lints expect:
/// `_thk` -> [thk], `Straße` -> [stra, e].
fn words(name: &str) -> Vec<&str> {
    // Bytes, not chars: every boundary is next to an ASCII letter or digit, so each word
    // is a slice of `name`, and no word is copied until it is written in its case.
    let bytes = name.as_bytes();
    let mut words = Vec::new();
    let mut start = None;
    for (i, &c) in bytes.iter().enumerate() {
        let boundary = !c.is_ascii_alphanumeric()
            || (c.is_ascii_uppercase()
                && i.checked_sub(1).is_some_and(|p| {
                    let p = bytes[p];
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase))
                }));
        if boundary && let Some(from) = start.take() {
            words.push(&name[from..i]);
        }
        if c.is_ascii_alphanumeric() {
            start.get_or_insert(i);
        }
    }
    words.extend(start.map(|from| &name[from..]));
    words
}

/// `snake_case` identifier for fields, functions and modules.
pub fn snake(name: &str) -> String {
    let mut joined = String::with_capacity(name.len() + 4);
    for (i, word) in words(name).into_iter().enumerate() {
        if i > 0 {
            joined.push('_');
        }
        joined.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    finish(joined, Case::Snake)
}

/// `PascalCase` identifier for types and variants.
pub fn pascal(name: &str) -> String {
    let mut joined = String::with_capacity(name.len());
    for word in words(name) {
        let mut chars = word.chars();
        joined.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        joined.extend(chars.map(|c| c.to_ascii_lowercase()));
    }
    finish(joined, Case::Pascal)
}

#[derive(Clone, Copy, PartialEq)]
enum Case {
    Snake,
    Pascal,
}

/// Makes `ident` (ASCII words, joined) a valid identifier of bounded length, still in
/// its case. A keyword stays as the wire spells it, written raw where it is used
/// (`r#type`, see [`raw`]), except those a raw identifier cannot spell: `self_` in snake
/// case, `SelfValue` in Pascal case, where an underscore would break the case.
fn finish(mut ident: String, case: Case) -> String {
    let (empty, digit, keyword) = match case {
        Case::Snake => ("value", 'v', "_"),
        Case::Pascal => ("Value", 'V', "Value"),
    };
    if ident.is_empty() {
        ident = empty.to_string();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, digit);
    }
    if ident.len() > MAX_IDENT {
        ident = shorten(&ident);
    }
    if NOT_RAW.contains(&ident.as_str()) {
        ident.push_str(keyword);
    }
    ident
}

/// True when `ident` is a word Rust reserves: it is written raw ([`raw`]).
pub fn is_keyword(ident: &str) -> bool {
    KEYWORDS.contains(&ident)
}

/// `ident` as Rust source spells it: `r#type` for a keyword, itself otherwise.
pub fn raw(ident: &str) -> std::borrow::Cow<'_, str> {
    match is_keyword(ident) {
        true => format!("r#{ident}").into(),
        false => ident.into(),
    }
}

/// Keeps the start of a long name and makes it unique again with a hash of the whole:
/// `_1a2b3c4d` for snake case, `1A2B3C4D` for a type name (still UpperCamelCase).
fn shorten(ident: &str) -> String {
    let hash = ident
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    if ident.starts_with(|c: char| c.is_ascii_uppercase()) {
        format!("{}{:08X}", ident[..MAX_IDENT - 8].trim_end_matches('_'), hash as u32)
    } else {
        format!("{}_{:08x}", ident[..MAX_IDENT - 9].trim_end_matches('_'), hash as u32)
    }
}

/// Hands out names unique within one namespace (a module's types, a struct's fields,
/// an enum's variants): a taken name gets a numeric suffix.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace { taken: reserved.iter().map(|s| s.to_string()).collect() }
    }

    /// True when `name` is free.
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(name)
    }

    /// Claims `name`, or `name2`, `name3`, … when it is taken.
    pub fn claim(&mut self, name: String) -> String {
        let mut candidate = name.clone();
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            let sep = if name.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
            candidate = format!("{name}{sep}{n}");
            n += 1;
        }
        candidate
    }
}

/// The method name of an operation without an operationId: the HTTP method, then the
/// path's segments, a `{param}` segment as `by_param`: `POST /index.php/api/oauth2`
/// -> `post_index_php_api_oauth2`, `GET /users/{id}` -> `get_users_by_id`.
pub fn from_path(method: &str, path: &str) -> String {
    let mut words = vec![method.to_ascii_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{}", snake(param))),
            None => words.push(snake(segment)),
        }
    }
    snake(&words.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_without_operation_id_come_from_method_and_path() {
        assert_eq!(from_path("post", "/index.php/api/oauth2"), "post_index_php_api_oauth2");
        assert_eq!(from_path("get", "/users/{userId}/keys"), "get_users_by_user_id_keys");
        assert_eq!(from_path("delete", "/"), "delete");
    }

    #[test]
    fn snake_case_from_wire_names() {
        assert_eq!(snake("clientId"), "client_id");
        assert_eq!(snake("tokenValiditySec"), "token_validity_sec");
        assert_eq!(snake("fuse_client_id_seq"), "fuse_client_id_seq");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("X-Request-ID"), "x_request_id");
        assert_eq!(snake("index.php"), "index_php");
        assert_eq!(snake("oauth2"), "oauth2");
    }

    #[test]
    fn pascal_case_from_wire_names() {
        assert_eq!(pascal("client_credentials"), "ClientCredentials");
        assert_eq!(pascal("user_read"), "UserRead");
        assert_eq!(pascal("OAuthError"), "OAuthError");
        assert_eq!(pascal("auth"), "Auth");
        assert_eq!(pascal("application/json"), "ApplicationJson");
    }

    #[test]
    fn keywords_digits_and_symbols() {
        assert_eq!(snake("type"), "type");
        assert_eq!(raw(&snake("type")), "r#type");
        assert_eq!(raw("kind"), "kind");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("Super"), "super_");
        assert_eq!(pascal("self"), "SelfValue");
        assert_eq!(snake("2fa"), "v2fa");
        assert_eq!(pascal("401"), "V401");
        assert_eq!(snake("-"), "value");
        assert_eq!(pascal("+1"), "V1");
        assert_eq!(snake("naïve"), "na_ve");
    }

    #[test]
    fn names_are_ascii_in_their_case_whatever_the_wire_text() {
        assert_eq!(pascal("_thk"), "Thk");
        assert_eq!(pascal("ñandu"), "Andu");
        assert_eq!(pascal("Straße"), "StraE");
        assert_eq!(pascal("日本"), "Value");
        assert_eq!(snake("_kk"), "kk");
        assert_eq!(snake("Größe"), "gr_e");
    }

    #[test]
    fn long_names_are_shortened_stably() {
        let long = "a".repeat(100);
        let once = snake(&long);
        assert_eq!(once.len(), MAX_IDENT);
        assert_eq!(once, snake(&long));
        assert_ne!(once, snake(&"a".repeat(101)));
    }

    #[test]
    fn namespaces_suffix_collisions() {
        let mut ns = Namespace::with_reserved(&["Client"]);
        assert_eq!(ns.claim("Client".into()), "Client2");
        assert_eq!(ns.claim("Token".into()), "Token");
        assert_eq!(ns.claim("Token".into()), "Token2");
        assert_eq!(ns.claim("Oauth2".into()), "Oauth2");
        assert_eq!(ns.claim("Oauth2".into()), "Oauth2_2");
        assert!(!ns.is_free("Token2"));
    }
}
