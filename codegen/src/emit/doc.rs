//! Spec descriptions -> rustdoc attributes that render as written and that `cargo doc`
//! and doctests accept: code blocks marked as text, HTML-like text escaped, bare URLs
//! made links, bracketed words not taken for intra-doc links.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = " line"]` attributes for `text` (outer, `///`).
pub fn outer(text: Option<&str>) -> TokenStream {
    let lines = lines(text);
    quote! { #(#[doc = #lines])* }
}

/// `#![doc = " line"]` attributes for `text` (inner, `//!`).
pub fn inner(text: Option<&str>) -> TokenStream {
    let lines = lines(text);
    quote! { #(#![doc = #lines])* }
}

/// Paragraphs joined by a blank line, skipping empty ones.
pub fn paragraphs<'t>(parts: impl IntoIterator<Item = Option<&'t str>>) -> Option<String> {
    let parts: Vec<&str> = parts.into_iter().flatten().map(str::trim).filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

fn lines(text: Option<&str>) -> Vec<String> {
    let Some(text) = text else { return Vec::new() };
    let mut in_fence = false;
    let mut out = Vec::new();
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            out.push(if in_fence || trimmed.len() > 3 { " ```".to_string() } else { " ```text".to_string() });
            in_fence = !in_fence;
            continue;
        }
        let rendered = if in_fence { line.to_string() } else { escape(trimmed) };
        out.push(if rendered.is_empty() { String::new() } else { format!(" {rendered}") });
    }
    if in_fence {
        out.push(" ```".into());
    }
    out
}

/// Escapes one line for rustdoc's markdown; `code spans` are kept as written.
fn escape(line: &str) -> String {
    let parts: Vec<&str> = line.split('`').collect();
    // An odd number of backticks leaves the last one unmatched: the text after it is prose.
    let last_is_code = parts.len().is_multiple_of(2);
    let mut out = String::with_capacity(line.len());
    for (i, part) in parts.iter().enumerate() {
        let is_code = i % 2 == 1 && !(last_is_code && i == parts.len() - 1);
        if i > 0 {
            out.push('`');
        }
        if is_code {
            out.push_str(part);
        } else {
            out.push_str(&escape_prose(part));
        }
    }
    out
}

/// Escapes prose outside code spans.
fn escape_prose(text: &str) -> String {
    let text = text.replace('<', "&lt;").replace('>', "&gt;");
    let text = escape_brackets(&text);
    link_urls(&text)
}

/// `[word]` would be an intra-doc link; `[text](url)` stays a link.
fn escape_brackets(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        let is_link_open = c == '[' && closes_as_link(&chars[i + 1..]);
        let is_link_close = c == ']' && chars.get(i + 1) == Some(&'(');
        if (c == '[' && !is_link_open) || (c == ']' && !is_link_close) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn closes_as_link(rest: &[char]) -> bool {
    rest.iter().position(|&c| c == ']').is_some_and(|end| rest.get(end + 1) == Some(&'('))
}

/// Wraps bare `http(s)://` URLs in `<…>` so rustdoc renders them as links.
fn link_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 4);
    let mut rest = line;
    while let Some(start) = [rest.find("http://"), rest.find("https://")].into_iter().flatten().min() {
        let (before, from) = rest.split_at(start);
        let len =
            from.find(|c: char| c.is_whitespace() || c == ')' || c == '`' || c == '"').unwrap_or(from.len());
        let url = from[..len].trim_end_matches(['.', ',', ';', ':']);
        let already_linked = before.ends_with('(') || before.ends_with('<');
        out.push_str(before);
        if already_linked {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &from[url.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_escaped_for_rustdoc() {
        assert_eq!(escape("Basic Auth <username and password>"), "Basic Auth &lt;username and password&gt;");
        assert_eq!(
            escape("see [redacted] and [docs](https://x.io)"),
            "see \\[redacted\\] and [docs](https://x.io)"
        );
        assert_eq!(escape("at https://auth.uqudo.io/api, then"), "at <https://auth.uqudo.io/api>, then");
        assert_eq!(escape("`https://a.b/c` stays code"), "`https://a.b/c` stays code");
        assert_eq!(escape("send `Bearer <token>` to <it>"), "send `Bearer <token>` to &lt;it&gt;");
        assert_eq!(escape("a ` b <c>"), "a ` b &lt;c&gt;");
    }

    #[test]
    fn code_fences_become_text_blocks() {
        let lines = lines(Some("Example:\n```\ncurl -X POST\n```\n```json\n{}\n```"));
        assert_eq!(lines, [" Example:", " ```text", " curl -X POST", " ```", " ```", " {}", " ```"]);
    }

    #[test]
    fn indented_lines_do_not_become_code_blocks() {
        assert_eq!(lines(Some("a\n\n    b")), [" a", "", " b"]);
    }
}
