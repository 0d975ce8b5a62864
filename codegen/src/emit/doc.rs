//! Spec descriptions -> rustdoc attributes that render as written and that `cargo doc`
//! and doctests accept: code blocks marked as text, HTML-like text escaped, bare URLs
//! made links, bracketed words not taken for intra-doc links; prose wrapped at
//! [`WIDTH`], as hand-written comments are.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The doc attribute for `text` (outer, `///`): see [`LINE_MARK`].
pub fn outer(text: Option<&str>) -> TokenStream {
    block(&lines(text))
}

/// The doc attribute for our own text, markdown that needs no escaping (each line as
/// given, wrapped at [`WIDTH`]): see [`LINE_MARK`].
pub fn ours(text: &str) -> TokenStream {
    let lines: Vec<String> =
        text.lines().flat_map(wrap).map(|l| if l.is_empty() { l } else { format!(" {l}") }).collect();
    block(&lines)
}

/// What starts each line of a doc block in its one attribute. A block travels to the
/// formatter as one `#[doc = r"…"]`, its lines each after this mark, and `format`
/// writes it back as a `///` line each: syn parses and prettyplease prints one
/// attribute where an attribute a line cost them six tokens each (the doc lines were
/// an eighth of what codegen took). The mark is a control character, which no line
/// starts with (each is empty or starts with a space); one inside a spec's text is
/// written as `\u{FFFD}`, so that it cannot split a line.
pub const LINE_MARK: char = '\u{1}';

/// One doc attribute holding `lines`, each after a [`LINE_MARK`]; none for no lines.
fn block(lines: &[String]) -> TokenStream {
    if lines.is_empty() {
        return TokenStream::new();
    }
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        text.push(LINE_MARK);
        match line.contains(LINE_MARK) {
            true => text.push_str(&line.replace(LINE_MARK, "\u{FFFD}")),
            false => text.push_str(line),
        }
    }
    let text = raw(&text);
    quote!(#[doc = #text])
}

/// `#![doc = r" line"]` attributes for `text` (inner, `//!`).
pub fn inner(text: Option<&str>) -> TokenStream {
    let lines = lines(text).into_iter().map(|line| raw(&line));
    quote! { #(#![doc = #lines])* }
}

/// `line` as a raw string literal, as rustc writes a `///` comment: syn and prettyplease
/// read a raw string by slicing it where an escaped one is decoded a character at a time
/// (for every doc line, a tenth of what codegen takes). A line a raw string cannot hold
/// (a carriage return) is escaped.
fn raw(line: &str) -> Literal {
    let hashes = line.match_indices('"').map(|(at, _)| 1 + hash_run(&line[at + 1..])).max().unwrap_or(0);
    let hashes = "#".repeat(hashes);
    format!("r{hashes}\"{line}\"{hashes}").parse().unwrap_or_else(|_| Literal::string(line))
}

/// How many `#` `text` starts with.
fn hash_run(text: &str) -> usize {
    text.len() - text.trim_start_matches('#').len()
}

/// Paragraphs joined by a blank line, skipping empty ones.
pub fn paragraphs<'t>(parts: impl IntoIterator<Item = Option<&'t str>>) -> Option<String> {
    let parts: Vec<&str> = parts.into_iter().flatten().map(str::trim).filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

fn lines(text: Option<&str>) -> Vec<String> {
    let Some(text) = text else { return Vec::new() };
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    // Prose is escaped a block at a time: a link or a code span may cross a line break.
    let mut prose: Vec<&str> = Vec::new();
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        match &fence {
            Some(close) if trimmed.starts_with(close.as_str()) => {
                out.push(format!(" {close}"));
                fence = None;
            }
            Some(_) => out.push(format!(" {line}").trim_end().to_string()),
            None if trimmed.starts_with("```") => {
                flush(&mut prose, &mut out);
                let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
                out.push(format!(" {}{}", &trimmed[..ticks], fence_language(&trimmed[ticks..])));
                fence = Some(trimmed[..ticks].to_string());
            }
            None => prose.push(trimmed),
        }
    }
    flush(&mut prose, &mut out);
    if let Some(close) = fence {
        out.push(format!(" {close}"));
    }
    out
}

/// Escapes the prose lines gathered so far into `out`.
fn flush(prose: &mut Vec<&str>, out: &mut Vec<String>) {
    if prose.is_empty() {
        return;
    }
    let escaped = escape(&prose.join("\n"), true);
    let wrapped = escaped.split('\n').flat_map(wrap);
    out.extend(wrapped.map(|l| if l.is_empty() { l } else { format!(" {l}") }));
    prose.clear();
}

/// How many characters of text a doc line holds before it is wrapped: with `/// ` and
/// an impl's indentation, a line of at most 100.
pub const WIDTH: usize = 88;

/// `line` of prose cut at spaces into lines of at most [`WIDTH`] characters (a word
/// longer stays whole). A heading or table row stays one line; a list item's
/// continuation is indented under its text. A line never starts with a word markdown
/// would read as the start of a block (`-`, `1.`, `#`, …): the break moves before the
/// word ahead of it.
fn wrap(line: &str) -> Vec<String> {
    if line.chars().count() <= WIDTH || line.starts_with('#') || line.contains('|') {
        return vec![line.to_string()];
    }
    let indent = " ".repeat(list_marker(line));
    let mut lines = Vec::new();
    let mut current = String::new();
    for (i, word) in line.split(' ').enumerate() {
        let fits = current.chars().count() + 1 + word.chars().count() <= WIDTH;
        if i == 0 {
            current.push_str(word);
        } else if fits || starts_block(word) {
            current.push(' ');
            current.push_str(word);
        } else {
            lines.push(std::mem::replace(&mut current, format!("{indent}{word}")));
        }
    }
    lines.push(current);
    lines
}

/// The width of the list marker `line` starts with (`- `, `12. `), or 0.
fn list_marker(line: &str) -> usize {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &line[digits..];
    let marker = match digits {
        0 => ["- ", "* ", "+ "].iter().any(|m| rest.starts_with(m)),
        _ => rest.starts_with(". ") || rest.starts_with(") "),
    };
    if marker { digits + 2 } else { 0 }
}

/// Whether a line starting with `word` would open a block (a list item, heading, rule or
/// underline, quote, table, fence) rather than continue the paragraph.
fn starts_block(word: &str) -> bool {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let ordered = digits > 0 && matches!(&word[digits..], "." | ")");
    let marks = !word.is_empty() && word.chars().all(|c| "-=*_#+".contains(c));
    ordered || marks || word.starts_with(['>', '|']) || word.starts_with("```") || word.starts_with("~~~")
}

/// The language a fenced block keeps: rustdoc compiles a block without one (or marked
/// Rust) as a doctest, which a spec's example is not, so those become `text`.
fn fence_language(info: &str) -> &str {
    let word = info.split(|c: char| c.is_whitespace() || c == ',').next().unwrap_or_default();
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-+#_.".contains(c));
    let rustdoc = ["rust", "ignore", "no_run", "should_panic", "compile_fail", "edition", "test_harness"];
    if plain && !rustdoc.iter().any(|r| word.starts_with(r)) { word } else { "text" }
}

/// Escapes markdown prose for rustdoc, changing only what it would misread: `[words]`
/// (intra-doc links) and `<words>` (HTML) are escaped, bare URLs become `<…>`
/// autolinks; code spans, `[text](https://…)` links and `<https://…>` autolinks stay as
/// written. `autolink`: whether bare URLs become links (not inside a link's text).
fn escape(text: &str, autolink: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    let mut after_word = false;
    while let Some(c) = rest.chars().next() {
        // A run of what needs nothing is copied at once (most of any text).
        let plain = rest.find(['`', '[', ']', '<', '>', 'h']).unwrap_or(rest.len());
        if plain > 0 {
            out.push_str(&rest[..plain]);
            after_word = rest[..plain].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '/');
            rest = &rest[plain..];
            continue;
        }
        let len = match c {
            '`' => code_span(rest).inspect(|len| out.push_str(&rest[..*len])),
            '[' => link(rest).map(|(len, label, dest)| {
                out.push_str(&format!("[{}]({dest})", escape(label, false)));
                len
            }),
            // An autolink as written.
            '<' => url_end(&rest[1..]).filter(|end| rest[1 + end..].starts_with('>')).map(|end| {
                out.push_str(&rest[..end + 2]);
                end + 2
            }),
            'h' if autolink && !after_word => url_end(rest).inspect(|end| {
                out.push_str(&format!("<{}>", &rest[..*end]));
            }),
            _ => None,
        };
        let len = len.unwrap_or_else(|| {
            match c {
                '[' | ']' => out.push_str(if c == '[' { "\\[" } else { "\\]" }),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
            c.len_utf8()
        });
        after_word = c.is_alphanumeric() || c == '/';
        rest = &rest[len..];
    }
    out
}

/// The length of the code span `text` starts with: a run of backticks up to the next
/// run of as many; `None` when none closes it (the backticks are then text).
fn code_span(text: &str) -> Option<usize> {
    let ticks = text.len() - text.trim_start_matches('`').len();
    let mut at = ticks;
    while let Some(found) = text[at..].find('`') {
        let start = at + found;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == ticks {
            return Some(start + run);
        }
        at = start + run;
    }
    None
}

/// `[label](dest)` at the start of `text`, where `dest` is an absolute URL: its length,
/// label and destination. The label may hold code spans and brackets in pairs.
fn link(text: &str) -> Option<(usize, &str, &str)> {
    let mut depth = 0;
    let mut at = 0;
    let close = loop {
        let c = text[at..].chars().next()?;
        match c {
            '`' => at += code_span(&text[at..]).unwrap_or(1) - 1,
            '[' => depth += 1,
            ']' if depth == 1 => break at,
            ']' => depth -= 1,
            _ => {}
        }
        at += c.len_utf8();
    };
    let dest = text[close + 1..].strip_prefix('(')?;
    let end = dest.find(')')?;
    let url = &dest[..end];
    let absolute =
        url_end(url) == Some(url.len()) || url.starts_with("mailto:") && !url.contains(char::is_whitespace);
    absolute.then_some((close + 2 + end + 1, &text[1..close], url))
}

/// The length of the `http(s)://` URL `text` starts with, trailing punctuation left out.
fn url_end(text: &str) -> Option<usize> {
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return None;
    }
    let end = text.find(|c: char| c.is_whitespace() || "<>\"'`)[]".contains(c)).unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
    url.contains("://").then_some(url.len()).filter(|len| *len > "https://".len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(text: &str) -> String {
        escape(text, true)
    }

    #[test]
    fn a_doc_line_reads_back_as_written_whatever_its_quotes() {
        for line in
            [" plain", " a \"quote\"", " \"# and \"## after quotes", " a\rcarriage return", "", " \\n"]
        {
            let literal = raw(line);
            // Only a carriage return, which a raw string cannot hold, is escaped.
            assert_eq!(literal.to_string().starts_with('r'), !line.contains('\r'), "{line:?}");
            let read: syn::LitStr = syn::parse2(quote::ToTokens::into_token_stream(literal)).unwrap();
            assert_eq!(read.value(), line);
        }
    }

    #[test]
    fn a_doc_block_holds_each_line_after_the_mark_and_no_mark_of_the_text() {
        let tokens = outer(Some("First line.\n\nA \u{1} inside."));
        let attr: syn::Attribute = syn::parse_quote!(#tokens);
        let syn::Meta::NameValue(doc) = attr.meta else { panic!("not `doc = …`") };
        let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = doc.value else { panic!() };
        assert_eq!(text.value(), "\u{1} First line.\u{1}\u{1} A \u{FFFD} inside.");
        assert!(outer(None).is_empty());
    }

    #[test]
    fn prose_is_escaped_for_rustdoc() {
        assert_eq!(prose("Basic Auth <username and password>"), "Basic Auth &lt;username and password&gt;");
        assert_eq!(
            prose("see [redacted] and [docs](https://x.io)"),
            "see \\[redacted\\] and [docs](https://x.io)"
        );
        assert_eq!(prose("at https://auth.uqudo.io/api, then"), "at <https://auth.uqudo.io/api>, then");
        assert_eq!(prose("`https://a.b/c` stays code"), "`https://a.b/c` stays code");
        assert_eq!(prose("send `Bearer <token>` to <it>"), "send `Bearer <token>` to &lt;it&gt;");
        assert_eq!(prose("a ` b <c>"), "a ` b &lt;c&gt;");
        assert_eq!(prose("a ``x ` y`` b"), "a ``x ` y`` b");
    }

    #[test]
    fn links_stay_links() {
        let stripe = "with [the `expand` parameter](https://stripe.com/docs/api/expanding_objects).";
        assert_eq!(prose(stripe), stripe);
        assert_eq!(prose("[a [b] c](https://x.io/a_(b))"), "[a \\[b\\] c](https://x.io/a_(b))");
        assert_eq!(
            prose("[see https://x.io](https://x.io)"),
            "[see https://x.io](https://x.io)",
            "no link in a link"
        );
        assert_eq!(prose("at <https://x.io/a>."), "at <https://x.io/a>.");
        assert_eq!(prose("[relative](/docs/api)"), "\\[relative\\](/docs/api)", "not a URL: not a link");
        assert_eq!(prose("[mail](mailto:a@b.c)"), "[mail](mailto:a@b.c)");
        assert_eq!(prose("href=\"https://x.io\""), "href=\"<https://x.io>\"");
    }

    #[test]
    fn a_link_may_cross_a_line_break() {
        let lines = lines(Some("Use [the\nparameter](https://x.io) here."));
        assert_eq!(lines, [" Use [the", " parameter](https://x.io) here."]);
    }

    #[test]
    fn code_fences_become_text_blocks_unless_they_name_another_language() {
        let lines = lines(Some("Example:\n```\ncurl -X POST\n```\n```json\n{}\n```\n```rust\nx\n```"));
        let want = [
            " Example:",
            " ```text",
            " curl -X POST",
            " ```",
            " ```json",
            " {}",
            " ```",
            " ```text",
            " x",
            " ```",
        ];
        assert_eq!(lines, want);
    }

    #[test]
    fn long_prose_is_wrapped_at_spaces_never_before_a_block_marker() {
        let words = "lorem ".repeat(14);
        let words = words.trim_end();
        assert_eq!(lines(Some(&format!("{words} lorem"))), [format!(" {words}"), " lorem".into()]);
        assert_eq!(
            lines(Some(&format!("{words} abcd - end"))),
            [format!(" {words} abcd -"), " end".into()],
            "a `-` starting a line would be a list item"
        );
        assert_eq!(
            lines(Some(&format!("- {words} lorem"))),
            [format!(" - {words}"), "   lorem".into()],
            "a list item's continuation is indented under its text"
        );
        let table = format!("| {words} | {words} |");
        assert_eq!(lines(Some(&table)), [format!(" {table}")]);
    }

    #[test]
    fn indented_lines_do_not_become_code_blocks() {
        assert_eq!(lines(Some("a\n\n    b")), [" a", "", " b"]);
    }
}
