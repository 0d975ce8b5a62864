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

/// Identifier length beyond which names are shortened (with a stable hash suffix).
const MAX_IDENT: usize = 64;

/// Splits a wire name into lowercase words: `clientId` -> [client, id],
/// `HTTPServer_v2` -> [http, server, v2], `index.php` -> [index, php].
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            push_word(&mut words, &mut current);
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_uppercase() => {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            }
            _ => false,
        };
        if boundary {
            push_word(&mut words, &mut current);
        }
        current.extend(c.to_lowercase());
    }
    push_word(&mut words, &mut current);
    words
}

fn push_word(words: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        words.push(std::mem::take(current));
    }
}

/// `snake_case` identifier for fields, parameters, methods and modules.
pub fn snake(name: &str) -> String {
    finish(words(name).join("_"), "value")
}

/// `PascalCase` identifier for types and variants.
pub fn pascal(name: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|f| f.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect();
    finish(joined, "Value")
}

/// Makes `ident` a valid, non-keyword, ASCII identifier of bounded length.
fn finish(ident: String, empty: &str) -> String {
    let mut ident: String =
        ident.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if ident.trim_matches('_').is_empty() {
        ident = empty.to_string();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, if empty == "Value" { 'V' } else { 'v' });
    }
    if ident.len() > MAX_IDENT {
        ident = shorten(&ident);
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(pascal("self"), "Self_");
        assert_eq!(snake("2fa"), "v2fa");
        assert_eq!(pascal("401"), "V401");
        assert_eq!(snake("-"), "value");
        assert_eq!(pascal("+1"), "V1");
        assert_eq!(snake("naïve"), "na_ve");
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
